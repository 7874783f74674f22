import {
  DiscoverInstancesCommand,
  GetNamespaceCommand,
  GetServiceCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { OperatorError } from '../lib/operator-error';

/** A task as Cloud Map lists it: where the gateway sends a request. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Finds the tasks behind an integration whose URI is a Cloud Map service ARN, with `DiscoverInstances`,
 * as API Gateway does for a VPC link. Like API Gateway's, its view lags: a list is reused for
 * `refreshMs`, so a task that deregisters still gets requests for a while (what a rolling deploy must
 * survive).
 */
export class CloudMapResolver {
  private readonly services = new Map<string, Promise<{ namespace: string; service: string }>>();
  private readonly lists = new Map<string, { at: number; endpoints: Promise<Endpoint[]> }>();

  constructor(
    private readonly client: ServiceDiscoveryClient,
    private readonly refreshMs = 5_000,
    /** The clock the lag is measured on; tests pass their own. */
    private readonly now: () => number = Date.now,
  ) {}

  async endpoints(serviceArn: string): Promise<Endpoint[]> {
    const cached = this.lists.get(serviceArn);
    if (cached && this.now() - cached.at < this.refreshMs) return cached.endpoints;
    const endpoints = this.discover(serviceArn);
    this.lists.set(serviceArn, { at: this.now(), endpoints });
    // A failed lookup is not kept: the next request asks again.
    endpoints.catch(() => this.lists.delete(serviceArn));
    return endpoints;
  }

  private async discover(serviceArn: string): Promise<Endpoint[]> {
    const { namespace, service } = await this.names(serviceArn);
    const found = await this.client.send(
      new DiscoverInstancesCommand({
        NamespaceName: namespace,
        ServiceName: service,
        HealthStatus: 'HEALTHY',
      }),
    );
    return (found.Instances ?? []).flatMap((instance) => {
      const host = instance.Attributes?.AWS_INSTANCE_IPV4;
      const port = Number(instance.Attributes?.AWS_INSTANCE_PORT);
      return host && Number.isInteger(port) && port > 0 ? [{ host, port }] : [];
    });
  }

  private names(serviceArn: string): Promise<{ namespace: string; service: string }> {
    let names = this.services.get(serviceArn);
    if (!names) {
      names = this.lookUpNames(serviceArn);
      this.services.set(serviceArn, names);
    }
    return names;
  }

  private async lookUpNames(serviceArn: string): Promise<{ namespace: string; service: string }> {
    const id = cloudMapServiceId(serviceArn);
    const { Service: service } = await this.client.send(new GetServiceCommand({ Id: id }));
    // moto 5.2 gives the namespace only inside DnsConfig; AWS gives it at the top as well.
    const namespaceId = service?.NamespaceId ?? service?.DnsConfig?.NamespaceId;
    if (!namespaceId || !service?.Name) throw new Error(`Cloud Map service ${id} has no namespace`);
    const { Namespace: namespace } = await this.client.send(new GetNamespaceCommand({ Id: namespaceId }));
    if (!namespace?.Name) throw new Error(`Cloud Map namespace ${namespaceId} has no name`);
    return { namespace: namespace.Name, service: service.Name };
  }
}

/** `arn:aws:servicediscovery:<region>:<account>:service/srv-…` → `srv-…`. */
export function cloudMapServiceId(serviceArn: string): string {
  const id = /^arn:[\w-]+:servicediscovery:[\w-]+:\d+:service\/(srv-[\w-]+)$/.exec(serviceArn)?.[1];
  if (!id) throw new OperatorError(`'${serviceArn}' is not a Cloud Map service ARN`);
  return id;
}

import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace';
import { ServiceDiscoveryService } from '@cdktf/provider-aws/lib/service-discovery-service';
import { Construct } from 'constructs';
import type { Network } from './network';

export interface ServiceDiscoveryProps {
  /** The VPC the private namespace resolves in. */
  readonly network: Pick<Network, 'vpcId'>;
  /** Private DNS namespace, resolvable only inside the VPC. @default 'petstore.local' */
  readonly namespaceName?: string;
  /** Cloud Map service name; the tasks answer at `<serviceName>.<namespaceName>`. @default 'pets' */
  readonly serviceName?: string;
}

/**
 * Cloud Map is how the API Gateway VPC link finds the tasks: ECS registers each task's IP and port
 * as SRV records, and the gateway's integration points at this service's ARN.
 */
export class ServiceDiscovery extends Construct {
  public readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  /** The Cloud Map service. */
  public readonly resource: ServiceDiscoveryService;
  public readonly serviceArn: string;

  constructor(scope: Construct, id: string, props: ServiceDiscoveryProps) {
    super(scope, id);
    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, 'Namespace', {
      name: props.namespaceName ?? 'petstore.local',
      vpc: props.network.vpcId,
    });
    this.resource = new ServiceDiscoveryService(this, 'Service', {
      name: props.serviceName ?? 'pets',
      dnsConfig: {
        namespaceId: this.namespace.id,
        // SRV carries the port as well as the IP: API Gateway needs both to reach an awsvpc task.
        dnsRecords: [{ type: 'SRV', ttl: 60 }],
        routingPolicy: 'MULTIVALUE',
      },
      // ECS reports task health to Cloud Map. `failure_threshold` is deprecated (AWS fixes it at 1), but
      // without it the provider stores no block and plans a replacement of this service on every apply
      // (terraform-provider-aws#44285): the deprecation warning is the lesser evil.
      healthCheckCustomConfig: { failureThreshold: 1 },
      // Cloud Map refuses to delete a service with registered instances, and ECS may not have
      // deregistered the last tasks when destroy reaches this service: deregister them, then delete.
      forceDestroy: true,
    });
    this.serviceArn = this.resource.arn;
  }
}

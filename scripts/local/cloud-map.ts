import {
  DiscoverInstancesCommand,
  GetNamespaceCommand,
  GetServiceCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';

/** A task as Cloud Map lists it: where the gateway sends a request. */
export type Endpoint = { host: string; port: number };

/**
 * Finds the healthy tasks of a Cloud Map service with `DiscoverInstances`, as API Gateway does for a VPC
 * link integration. Like API Gateway's, its view lags: a list is reused for `refreshMs` (on the clock
 * `now`, which tests set), so a task that deregisters still gets requests for a while (what a rolling
 * deploy must survive). A failed lookup is not kept: the next request asks again.
 */
export function cloudMapEndpoints(client: ServiceDiscoveryClient, refreshMs = 5_000, now = Date.now) {
  const lists = new Map<string, { at: number; endpoints: Promise<Endpoint[]> }>();
  return (serviceId: string) => {
    const cached = lists.get(serviceId);
    if (cached && now() - cached.at < refreshMs) return cached.endpoints;
    const endpoints = discover(client, serviceId);
    lists.set(serviceId, { at: now(), endpoints });
    endpoints.catch(() => lists.delete(serviceId));
    return endpoints;
  };
}

async function discover(client: ServiceDiscoveryClient, serviceId: string): Promise<Endpoint[]> {
  const { Service: service } = await client.send(new GetServiceCommand({ Id: serviceId }));
  // moto 5.2 gives the namespace only inside DnsConfig; AWS gives it at the top as well.
  const namespaceId = service?.NamespaceId ?? service?.DnsConfig?.NamespaceId;
  const { Namespace: namespace } = await client.send(new GetNamespaceCommand({ Id: namespaceId }));
  const names = { NamespaceName: namespace?.Name, ServiceName: service?.Name };
  const healthy = new DiscoverInstancesCommand({ ...names, HealthStatus: 'HEALTHY' });
  const { Instances = [] } = await client.send(healthy);
  return Instances.map(({ Attributes = {} }) => ({
    host: Attributes.AWS_INSTANCE_IPV4 ?? '',
    port: Number(Attributes.AWS_INSTANCE_PORT),
  }));
}

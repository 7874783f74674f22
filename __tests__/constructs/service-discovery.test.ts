import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace';
import { ServiceDiscoveryService } from '@cdktf/provider-aws/lib/service-discovery-service';
import { Network } from '../../constructs/network';
import { ServiceDiscovery } from '../../constructs/service-discovery';
import { onlyResource, REGION, ref, synthScope, ZONE_IDS } from './support';

describe('ServiceDiscovery', () => {
  let vpcRef = '';
  let namespaceRef = '';
  const synthesized = synthScope((scope) => {
    const network = new Network(scope, 'Network', {
      namePrefix: 'test',
      region: REGION,
      availabilityZoneIds: ZONE_IDS,
    });
    const discovery = new ServiceDiscovery(scope, 'ServiceDiscovery', { network });
    vpcRef = ref(network.resource, 'id');
    namespaceRef = ref(discovery.namespace, 'id');
  });

  test('the private DNS namespace is attached to the VPC', () => {
    expect(synthesized).toHaveResourceWithProperties(ServiceDiscoveryPrivateDnsNamespace, {
      name: 'petstore.local',
      vpc: vpcRef,
    });
  });

  test('the service publishes SRV records with a 60 s TTL in that namespace', () => {
    expect(synthesized).toHaveResourceWithProperties(ServiceDiscoveryService, {
      name: 'pets',
      dns_config: {
        namespace_id: namespaceRef,
        dns_records: [{ type: 'SRV', ttl: 60 }],
        routing_policy: 'MULTIVALUE',
      },
    });
  });

  test('task health comes from ECS through a custom health check, stated so the provider keeps it', () => {
    // An empty block is never stored by the provider, which then replaces the service on every plan.
    const service = onlyResource(synthesized, 'aws_service_discovery_service');
    expect(service.health_check_custom_config).toEqual({ failure_threshold: 1 });
  });

  test('destroy succeeds while ECS still has instances registered', () => {
    expect(onlyResource(synthesized, 'aws_service_discovery_service').force_destroy).toBe(true);
  });
});

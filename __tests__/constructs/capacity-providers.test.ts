// `service.capacityProviderStrategy`: Fargate Spot beside Fargate, in ECS's own shape.
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import type { CapacityProviderStrategyItem } from '../../constructs/capacity-provider-strategy';
import { PetFargateService, type PetFargateServiceProps } from '../../constructs/fargate-service';
import {
  fargateServiceProps,
  onlyResource,
  ref,
  resourcesOf,
  serviceDependencies,
  synthScope,
} from './support';

function synthService(props: Partial<PetFargateServiceProps> = {}) {
  const refs = { cluster: '', capacityProviders: '' };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope);
    const service = new PetFargateService(scope, 'PetService', { ...fargateServiceProps(deps), ...props });
    refs.cluster = ref(service.cluster, 'name');
    // depends_on names the resource itself: `${type.name.id}` without `${`, `.id}`.
    if (service.capacityProviders) refs.capacityProviders = ref(service.capacityProviders, 'id').slice(2, -4);
  });
  return { synthesized, refs };
}

const MOSTLY_SPOT: CapacityProviderStrategyItem[] = [
  { capacityProvider: 'FARGATE', base: 1, weight: 1 },
  { capacityProvider: 'FARGATE_SPOT', weight: 3 },
];

describe('PetFargateService with a capacity provider strategy', () => {
  test('by default every task runs on Fargate by launch type, and the cluster names no providers', () => {
    const { synthesized } = synthService();
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(service.launch_type).toBe('FARGATE');
    expect(service).not.toHaveProperty('capacity_provider_strategy');
    expect(service).not.toHaveProperty('force_new_deployment');
    expect(synthesized).not.toHaveResource(EcsClusterCapacityProviders);
  });

  test('the cluster offers both Fargate providers, and the service uses the strategy instead of a launch type', () => {
    const { synthesized, refs } = synthService({ capacityProviderStrategy: MOSTLY_SPOT });
    expect(onlyResource(synthesized, 'aws_ecs_cluster_capacity_providers')).toEqual({
      cluster_name: refs.cluster,
      capacity_providers: ['FARGATE', 'FARGATE_SPOT'],
    });
    const service = onlyResource(synthesized, 'aws_ecs_service');
    // ECS refuses a service with both.
    expect(service).not.toHaveProperty('launch_type');
    expect(service.capacity_provider_strategy).toEqual([
      { capacity_provider: 'FARGATE', base: 1, weight: 1 },
      { capacity_provider: 'FARGATE_SPOT', weight: 3 },
    ]);
    // A strategy may only name providers the cluster offers: the service waits for them.
    expect(service.depends_on).toContain(refs.capacityProviders);
    // Without it, the provider replaces the service on every change of weights.
    expect(service.force_new_deployment).toBe(true);
  });

  test('keeps what it keeps without a strategy: circuit breaker, private subnets, no public IP', () => {
    const { synthesized } = synthService({ capacityProviderStrategy: MOSTLY_SPOT });
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.network_configuration.assign_public_ip).toBe(false);
    expect(resourcesOf(synthesized, 'aws_ecs_cluster')).toHaveLength(1);
  });

  test.each<[CapacityProviderStrategyItem[], string]>([
    [[], '`capacityProviderStrategy.length` is 0; expected an integer from 1 to 2.'],
    [
      [
        { capacityProvider: 'FARGATE_SPOT', weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 2 },
      ],
      "`capacityProviderStrategy[1].capacityProvider` is 'FARGATE_SPOT'; each provider may appear once.",
    ],
    [
      [{ capacityProvider: 'EC2' as 'FARGATE', weight: 1 }],
      "`capacityProviderStrategy[0].capacityProvider` is 'EC2'; expected one of 'FARGATE', 'FARGATE_SPOT'.",
    ],
    [
      [{ capacityProvider: 'FARGATE', base: 100_001, weight: 1 }],
      '`capacityProviderStrategy[0].base` is 100001; expected an integer from 0 to 100000.',
    ],
    [
      [{ capacityProvider: 'FARGATE', base: -1, weight: 1 }],
      '`capacityProviderStrategy[0].base` is -1; expected an integer from 0 to 100000.',
    ],
    [
      [{ capacityProvider: 'FARGATE_SPOT', weight: 1001 }],
      '`capacityProviderStrategy[0].weight` is 1001; expected an integer from 0 to 1000.',
    ],
    [
      [{ capacityProvider: 'FARGATE_SPOT', weight: 0.5 }],
      '`capacityProviderStrategy[0].weight` is 0.5; expected an integer from 0 to 1000.',
    ],
    [
      [
        { capacityProvider: 'FARGATE', base: 1, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', base: 2, weight: 1 },
      ],
      '`capacityProviderStrategy[1].base` is 2; ECS allows a base above 0 on one provider only.',
    ],
    [
      [
        { capacityProvider: 'FARGATE', base: 2, weight: 0 },
        { capacityProvider: 'FARGATE_SPOT', weight: 0 },
      ],
      '`capacityProviderStrategy` is [0,0]; expected a weight above 0 on at least one provider',
    ],
  ])('a strategy outside what ECS accepts fails synth, naming the entry: %j', (strategy, message) => {
    expect(() => synthService({ capacityProviderStrategy: strategy })).toThrow(message);
  });

  test('all on Spot, and a base of 0 beside a base, are what ECS accepts', () => {
    expect(() =>
      synthService({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }),
    ).not.toThrow();
    expect(() =>
      synthService({
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE', base: 2, weight: 0 },
          { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 1 },
        ],
      }),
    ).not.toThrow();
  });
});

// The environments' configuration (environments.ts, typed from the construct props) and the settings
// read from the process environment, as main.ts uses them.
import { Testing } from 'cdktf';
import {
  type BootstrapConfig,
  type EnvironmentConfig,
  stackName,
  validateBootstrap,
  validateEnvironments,
} from '../../constructs/config';
import type { PetFargateServiceProps } from '../../constructs/fargate-service';
import type { PetHttpApiProps } from '../../constructs/http-api';
import type { MonitoringProps } from '../../constructs/monitoring';
import type { NetworkProps } from '../../constructs/network';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import type { PetTableProps } from '../../constructs/pet-table';
import type { UserAuthProps } from '../../constructs/user-auth';
import { BOOTSTRAP, ENVIRONMENTS, gitHeadCommit, readDeploySettings } from '../../environments';
import { onlyResource, ref, resourcesOf } from './support';

const dev = ENVIRONMENTS.find((environment) => environment.name === 'dev') as EnvironmentConfig;

function synthStack(environment: EnvironmentConfig = dev, imageTag = 'abc123') {
  const app = Testing.app();
  const stack = new PetStoreStack(app, stackName(environment), { environment, imageTag });
  return { stack, synthesized: Testing.synth(stack) };
}

describe('environment configuration', () => {
  test('each section is picked from the construct props it feeds: same names, same types (checked by tsc)', () => {
    type Section<K extends keyof EnvironmentConfig> = NonNullable<EnvironmentConfig[K]>;
    expectTypeOf<Section<'network'>>().toEqualTypeOf<Pick<NetworkProps, keyof Section<'network'>>>();
    expectTypeOf<Section<'service'>>().toEqualTypeOf<
      Partial<Pick<PetFargateServiceProps, keyof Section<'service'>>>
    >();
    expectTypeOf<Section<'service'>>().toHaveProperty('containerPort');
    expectTypeOf<Section<'table'>>().toEqualTypeOf<Pick<PetTableProps, keyof Section<'table'>>>();
    expectTypeOf<Section<'api'>>().toEqualTypeOf<Pick<PetHttpApiProps, keyof Section<'api'>>>();
    expectTypeOf<Section<'auth'>>().toEqualTypeOf<Pick<UserAuthProps, keyof Section<'auth'>>>();
    expectTypeOf<Section<'monitoring'>>().toEqualTypeOf<Pick<MonitoringProps, keyof Section<'monitoring'>>>();
  });

  test('`service.containerPort` is given once and reaches the container, Cloud Map and both security group rules', () => {
    const { stack, synthesized } = synthStack({ ...dev, service: { containerPort: 9090 } });
    const container = JSON.parse(
      onlyResource(synthesized, 'aws_ecs_task_definition').container_definitions,
    )[0];
    expect(container.portMappings).toEqual([{ containerPort: 9090, protocol: 'tcp' }]);
    expect(container.environment).toContainEqual({ name: 'PORT', value: '9090' });
    expect(onlyResource(synthesized, 'aws_ecs_service').service_registries.container_port).toBe(9090);
    const toTasks = [
      ...resourcesOf(synthesized, 'aws_vpc_security_group_ingress_rule'),
      ...resourcesOf(synthesized, 'aws_vpc_security_group_egress_rule'),
    ].filter((rule) =>
      [rule.security_group_id, rule.referenced_security_group_id].includes(
        ref(stack.securityGroups.tasks, 'id'),
      ),
    );
    // Ingress: dev's interface endpoints from the tasks, the tasks from the VPC link; egress: the
    // tasks' HTTPS out, the VPC link to the tasks.
    expect(toTasks.map((rule) => [rule.from_port, rule.to_port])).toEqual([
      [443, 443],
      [9090, 9090],
      [443, 443],
      [9090, 9090],
    ]);
  });

  test("`audit.dataEvents` adds a trail of the stack's two tables; no environment has one unless it asks", () => {
    expect(resourcesOf(synthStack().synthesized, 'aws_cloudtrail')).toEqual([]);
    const { stack, synthesized } = synthStack({ ...dev, audit: { dataEvents: true, retentionDays: 90 } });
    const [, , arns] = onlyResource(synthesized, 'aws_cloudtrail').advanced_event_selector[0].field_selector;
    expect(arns.equals).toEqual([ref(stack.table.resource, 'arn'), ref(stack.table.idempotencyTable, 'arn')]);
    expect(
      resourcesOf(synthStack({ ...dev, audit: { dataEvents: false } }).synthesized, 'aws_cloudtrail'),
    ).toEqual([]);
  });

  test('a bad container port is reported once, at the service configuration', () => {
    expect(() => synthStack({ ...dev, service: { containerPort: 70000 } })).toThrow(
      'Invalid configuration environments.dev.service: `containerPort` is 70000; expected an integer from 1 to 65535.',
    );
  });

  test("dev is the original design's shape at its lowest fixed cost: one AZ and one task, on Spot, without NAT", () => {
    const { synthesized } = synthStack();
    expect(resourcesOf(synthesized, 'aws_subnet').map((subnet) => subnet.tags.Tier)).toEqual(['private']);
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(0);
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(service.desired_count).toBe(1);
    expect(service.capacity_provider_strategy).toEqual([{ capacity_provider: 'FARGATE_SPOT', weight: 1 }]);
  });

  test.each<[Partial<EnvironmentConfig>, string]>([
    [
      { network: { availabilityZoneIds: ['use1-az1', 'use1-az3'] } },
      "Invalid configuration environments.dev.network: `availabilityZoneIds[1]` is 'use1-az3'; API Gateway offers no VPC links in that AZ; pick another.",
    ],
    [
      { monitoring: { api5xxPercent: 0 } },
      'Invalid configuration environments.dev.monitoring: `api5xxPercent` is 0; expected an integer from 1 to 100.',
    ],
    [
      { api: { corsAllowOrigins: ['*'] } },
      "Invalid configuration environments.dev.api: `corsAllowOrigins[0]` is '*'; expected an origin without a path",
    ],
    [
      { service: { cpu: 256, memory: 8192 } },
      'Invalid configuration environments.dev.service: `memory` is 8192; with cpu 256 Fargate accepts 512, 1024, 2048 (MiB).',
    ],
    [
      { api: { throttlingRateLimit: -5 } },
      'Invalid configuration environments.dev.api: `throttlingRateLimit` is -5; expected an integer from 1 to 10000.',
    ],
    [
      { table: { replicaRegions: ['us-east-1'] } },
      "Invalid configuration environments.dev.table: `replicaRegions[0]` is 'us-east-1'; the tables are already in that region; a replica must be in another.",
    ],
    [
      { audit: { dataEvents: true, retentionDays: 0 } },
      'Invalid configuration environments.dev.audit: `retentionDays` is 0; expected an integer from 1 to 3650.',
    ],
    [
      { service: { logRetentionDays: 45 } },
      'Invalid configuration environments.dev.service: `logRetentionDays` is 45; expected one of 1, 3, 5, 7, 14, 30',
    ],
  ])('a bad construct setting fails synth naming where it is: %o', (override, message) => {
    expect(() => synthStack({ ...dev, ...override })).toThrow(message);
  });

  test.each<[Pick<EnvironmentConfig, 'name' | 'region'>[], string]>([
    [[{ name: 'Dev', region: 'us-east-1' }], "`environments[0].name` is 'Dev'; expected lowercase letters"],
    [
      [{ name: 'dev', region: 'mars-1' }],
      "`environments[0].region` is 'mars-1'; expected an AWS region code such as us-east-1.",
    ],
    [
      [
        { name: 'dev', region: 'us-east-1' },
        { name: 'dev', region: 'eu-west-1' },
      ],
      "`environments[1].name` is 'dev'; environment names must be unique.",
    ],
  ])('rejects environment sets with bad names or regions: %o', (environments, message) => {
    const withNetwork = environments.map((environment) => ({
      ...environment,
      network: { availabilityZoneIds: ['use1-az1'] },
    }));
    expect(() => validateEnvironments(withNetwork)).toThrow(message);
  });

  test.each([
    [
      { service: { desiredcount: 2 } },
      'environments.dev.service: unknown key `desiredcount`; allowed keys are cpu, memory, desiredCount,',
    ],
    [
      { tracing: { enabled: true } },
      'environments.dev: unknown key `tracing`; allowed keys are name, region, network, service, table, audit, api, auth, monitoring.',
    ],
    [
      { audit: { dataEvent: true } },
      'environments.dev.audit: unknown key `dataEvent`; allowed keys are dataEvents, retentionDays.',
    ],
    [
      { table: { replicas: ['us-west-2'] } },
      'environments.dev.table: unknown key `replicas`; allowed keys are deletionProtection, replicaRegions.',
    ],
    [
      { service: { autoscaling: { minCapacity: 1, maxCapacity: 2, targetCpu: 50 } } },
      'environments.dev.service.autoscaling: unknown key `targetCpu`',
    ],
    [
      { monitoring: { alarmSubscriptions: [{ protocol: 'email', endpoint: 'a@b.c', filter: 'x' }] } },
      'environments.dev.monitoring.alarmSubscriptions[0]: unknown key `filter`',
    ],
  ])('an unknown or misspelt key fails, naming its path and the allowed keys: %o', (extra, message) => {
    const dev = {
      name: 'dev',
      region: 'us-east-1',
      network: { availabilityZoneIds: ['use1-az1'] },
      ...extra,
    };
    expect(() => validateEnvironments([dev as EnvironmentConfig])).toThrow(
      `Invalid configuration ${message}`,
    );
  });

  test('an unknown key of the bootstrap settings fails too', () => {
    expect(() => validateBootstrap({ ...BOOTSTRAP, stateBuckt: 'x' } as BootstrapConfig)).toThrow(
      'Invalid configuration bootstrap: unknown key `stateBuckt`; allowed keys are region, github, environments, stateBucket, awsConfig.',
    );
    expect(() =>
      validateBootstrap({ ...BOOTSTRAP, awsConfig: { enable: true } } as unknown as BootstrapConfig),
    ).toThrow('Invalid configuration bootstrap.awsConfig: unknown key `enable`; allowed keys are enabled.');
    expect(() => validateBootstrap(BOOTSTRAP)).not.toThrow();
  });

  test('the configured environments are valid', () => {
    expect(() => validateEnvironments(ENVIRONMENTS)).not.toThrow();
  });

  const SHA = '0123456789abcdef0123456789abcdef01234567';
  const head = () => SHA;

  test('IMAGE_TAG names the image, and must be a Docker tag', () => {
    expect(readDeploySettings({ IMAGE_TAG: '3f2a9c1' }, head)).toEqual({ imageTag: '3f2a9c1' });
    expect(() => readDeploySettings({ IMAGE_TAG: 'feature/x' }, head)).toThrow(
      "`IMAGE_TAG` is 'feature/x'; expected a Docker tag: letters, digits, _ . - (at most 128).",
    );
  });

  test('without IMAGE_TAG, every command (synth, deploy, npm start, tests) runs the commit, the tag image:push pushes; never latest', () => {
    expect(readDeploySettings({}, head)).toEqual({ imageTag: SHA });
    expect(readDeploySettings({ npm_lifecycle_event: 'start' }, head)).toEqual({ imageTag: SHA });
    expect(readDeploySettings({ npm_lifecycle_event: 'synth' }, head)).toEqual({ imageTag: SHA });
    // A deploy takes the same tag: the bootstrap stack runs no image, and an app stack's is pushed first.
    expect(readDeploySettings({ npm_lifecycle_event: 'deploy' }, head)).toEqual({ imageTag: SHA });
    expect(() => readDeploySettings({}, () => undefined)).toThrow(
      '`IMAGE_TAG` is unset and there is no git commit to take the tag from',
    );
  });

  test("main.ts's settings come from this checkout's HEAD when IMAGE_TAG is unset", () => {
    expect(gitHeadCommit()).toMatch(/^[0-9a-f]{40}$/);
  });
});

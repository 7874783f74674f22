import { Testing } from 'cdktf';
import { type EnvironmentConfig, stackName } from '../../constructs/config';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { ENVIRONMENTS } from '../../environments';
import { type Estimate, estimateCost, type Resource, total } from '../../scripts/lib/cost/estimate';
import prices from '../../scripts/lib/cost/prices.json' with { type: 'json' };
import { synthesizedResources } from '../../scripts/lib/cost/resources';

function resource(type: string, values: Record<string, unknown> = {}, name = type.slice(4)): Resource {
  return { type, name, values };
}

/** A Terraform expression as cdktf writes it into the synthesized JSON: `${aws_x.name.attr}`. */
const token = (expression: string) => `\${${expression}}`;

/** Each line's amount by item, to the hundredth of a cent. */
function amounts(lines: Estimate['monthly']): Record<string, number> {
  return Object.fromEntries(lines.map((line) => [line.item, Math.round(line.usd * 10_000) / 10_000]));
}

describe('estimateCost on hand-built configurations (figures worked out by hand from prices.json)', () => {
  test("the design's defaults: one NAT gateway, one small x86 task, an alarm on a metric math expression", () => {
    const estimate = estimateCost(
      [
        resource('aws_nat_gateway'),
        resource('aws_eip', { domain: 'vpc' }),
        resource('aws_ecs_service', {
          launch_type: 'FARGATE',
          desired_count: 1,
          task_definition: token('aws_ecs_task_definition.task.arn'),
        }),
        resource(
          'aws_ecs_task_definition',
          {
            cpu: '256',
            memory: '512',
            runtime_platform: { cpu_architecture: 'X86_64' },
            container_definitions: `[{"logConfiguration":{"options":{"awslogs-group":"${token('aws_cloudwatch_log_group.logs.name')}"}}}]`,
          },
          'task',
        ),
        resource('aws_cloudwatch_log_group', { retention_in_days: 30 }, 'logs'),
        resource('aws_cloudwatch_metric_alarm', {
          metric_query: [
            { id: 'errors', metric: {} },
            { id: 'requests', metric: {} },
            { id: 'rate', expression: 'errors / requests' },
          ],
        }),
        resource('aws_cloudwatch_dashboard'),
        resource('aws_kms_key'),
        resource('aws_vpc'),
      ],
      'us-east-1',
    );
    expect(amounts(estimate.monthly)).toEqual({
      'NAT gateways': 32.85, // 730 h × $0.045
      'Fargate tasks': 9.01, // 730 h × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445) = 730 × 0.0123425 = 9.010025
      'Public IPv4 addresses': 3.65, // 730 h × $0.005
      'CloudWatch alarms': 0.2, // 2 metrics (the expression is free) × $0.10
      Dashboards: 3,
      'KMS keys': 1,
      // 44 MB of health-check lines: 0.044 GB × ($0.50 + $0.03 × 30 days × 24 / 730 h) = 0.044 × 0.529589
      'Service logs at idle': 0.0233,
    });
    expect(total(estimate.monthly)).toBeCloseTo(49.7333, 4);
    // No API in this configuration: no cost per request.
    expect(estimate.perMillionRequests).toEqual([]);
    expect(estimate.pricesRead).toBe('2026-12-05');
    expect(estimate.notes).toEqual([]);
  });

  test('the options: endpoints instead of NAT, ARM tasks mostly on Spot, replicas, a data-event trail, AWS Config', () => {
    const estimate = estimateCost(
      [
        resource('aws_subnet', { availability_zone_id: 'use1-az1' }, 'a'),
        resource('aws_subnet', { availability_zone_id: 'use1-az2' }, 'b'),
        ...['logs', 'ecr_api'].map((name) =>
          resource(
            'aws_vpc_endpoint',
            { vpc_endpoint_type: 'Interface', subnet_ids: ['subnet-1', 'subnet-2'] },
            name,
          ),
        ),
        resource('aws_vpc_endpoint', { vpc_endpoint_type: 'Gateway' }, 'dynamodb'),
        resource('aws_ecs_service', {
          name: 'pet-service',
          desired_count: 2,
          capacity_provider_strategy: [
            { capacity_provider: 'FARGATE', base: 1, weight: 1 },
            { capacity_provider: 'FARGATE_SPOT', weight: 3 },
          ],
        }),
        resource('aws_appautoscaling_target', {
          service_namespace: 'ecs',
          resource_id: 'service/petstore-prod/pet-service',
          min_capacity: 5,
        }),
        resource('aws_ecs_task_definition', {
          cpu: '1024',
          memory: '2048',
          runtime_platform: [{ cpu_architecture: 'ARM64' }],
        }),
        resource('aws_apigatewayv2_api', { protocol_type: 'HTTP' }),
        resource('aws_dynamodb_table', {
          billing_mode: 'PAY_PER_REQUEST',
          replica: [{ region_name: 'us-west-2' }, { region_name: 'eu-west-1' }],
        }),
        resource('aws_cloudtrail', {
          advanced_event_selector: [{ field_selector: [{ field: 'eventCategory', equals: ['Data'] }] }],
        }),
        resource('aws_ecs_cluster_capacity_providers'),
        resource('aws_config_configuration_recorder'),
        resource('aws_config_config_rule', {}, 'rule1'),
        resource('aws_config_config_rule', {}, 'rule2'),
        resource('aws_cognito_user_pool', { user_pool_tier: 'PLUS' }),
        resource('aws_acm_certificate'),
        resource('aws_route53_record'),
      ],
      'us-east-1',
    );
    expect(amounts(estimate.monthly)).toEqual({
      // 5 tasks (the autoscaling minimum, not desired_count): 1 on the FARGATE base, the other 4 split 1:3,
      // so 3 on Spot. 730 h × (1 vCPU × $0.03238 + 2 GB × $0.00356) × (5 − 3 × 0.7) = 28.835 × 2.9
      'Fargate tasks': 83.6215,
      'Interface endpoints': 29.2, // 2 endpoints × 2 subnets × 730 h × $0.01
      'Cognito user pools': 0, // Plus: $0.02 per monthly active user, none at idle
      'AWS Config recorder': 0.3, // 100 items × $0.003
      'AWS Config rules': 0.06, // 2 rules × 30 evaluations × $0.001
      // No log group named by the task: counted as never expiring, a year's worth stored.
      // 5 tasks × 0.044 GB × ($0.50 + $0.03 × 365 days × 24 / 730 h) = 0.22 × 0.86
      'Service logs at idle': 0.1892,
    });
    expect(amounts(estimate.perMillionRequests)).toEqual({
      'API Gateway HTTP API': 1,
      'Service logs': 0.215, // 250 bytes × 1M = 0.25 GB × 0.86, as above
      'Data transfer out': 0.0922, // 1,024 bytes × 1M = 1.024 GB × $0.09
      'DynamoDB reads': 0.125, // 1 read unit × $0.125
      'DynamoDB writes': 0.1875, // 0.3 write units × $0.625
      'DynamoDB replicated writes': 0.375, // 0.3 × 2 replicas × $0.625
      'Endpoint data processed': 0.004, // 400 bytes × 1M = 0.4 GB × $0.01, no NAT
      'CloudTrail data events': 1.2, // 1.2 calls × 1M = 12 × 100,000 events × $0.10
    });
    // Every resource type here is priced or known to be free (the certificate, the records).
    expect(estimate.notes).toEqual([]);
    expect(estimate.monthly.find((line) => line.item === 'Cognito user pools')?.how).toContain(
      '$20.00 per 1,000 monthly active users, no free tier',
    );
  });
});

describe('estimateCost says what it cannot price', () => {
  test('a region without prices is refused by name, never priced at us-east-1', () => {
    expect(() => estimateCost([resource('aws_nat_gateway')], 'eu-west-1')).toThrow(
      'no prices for region eu-west-1: scripts/lib/cost/prices.json holds us-east-1 only',
    );
  });

  test('a resource type it does not know is named in a note; an ECS service on EC2 too', () => {
    const estimate = estimateCost(
      [
        resource('aws_lb'),
        resource('aws_ecs_service', { launch_type: 'EC2' }, 'workers'),
        resource('aws_vpc'),
      ],
      'us-east-1',
    );
    expect(estimate.notes).toEqual([
      'ECS service workers does not run on Fargate: not priced',
      'not priced: aws_lb',
    ]);
  });
});

describe('the estimate of the real synthesized stacks', () => {
  function estimateOf(name: string): Estimate {
    const environment = ENVIRONMENTS.find((e) => e.name === name) as EnvironmentConfig;
    const stack = new PetStoreStack(Testing.app(), stackName(environment), {
      environment,
      imageTag: 'abc123',
    });
    const { region, resources } = synthesizedResources(JSON.parse(Testing.synth(stack)));
    return estimateCost(resources, region);
  }
  const quantities = (estimate: Estimate) =>
    Object.fromEntries(estimate.monthly.map((line) => [line.item, line.quantity]));

  test('dev: no NAT, three interface endpoints in its one AZ, one task on Spot, every resource type priced or known free', () => {
    const dev = estimateOf('dev');
    expect(quantities(dev)).toMatchObject({ 'Interface endpoints': 3, 'Fargate tasks': 1 });
    expect(quantities(dev)).not.toHaveProperty('NAT gateways');
    expect(quantities(dev)).not.toHaveProperty('Public IPv4 addresses');
    expect(dev.monthly.find((line) => line.item === 'Fargate tasks')?.how).toContain('1 on Spot at 70% off');
    expect(dev.notes).toEqual([]);
    expect(dev.perMillionRequests.map((line) => line.item)).toContain('Endpoint data processed');
  });

  test('prod: a NAT gateway per AZ, the autoscaling minimum of tasks, flow logs, Cognito Plus', () => {
    const prod = estimateOf('prod');
    expect(quantities(prod)).toMatchObject({
      'NAT gateways': 2,
      'Public IPv4 addresses': 2,
      'Fargate tasks': 2,
    });
    expect(prod.monthly.map((line) => line.item)).toContain('Flow logs');
    expect(prod.monthly.find((line) => line.item === 'Cognito user pools')?.how).toMatch(/^PLUS/);
    // The service's logs are kept 365 days in prod: their storage is read from the log group the task names.
    expect(prod.perMillionRequests.find((line) => line.item === 'Service logs')?.how).toContain(
      'kept 365 days',
    );
  });
});

describe('prices.json', () => {
  // tsc checks that every region prices what the estimator names; these are the facts it cannot check.
  test('every price has an amount, a unit and a listed https source; every region the date it was read', () => {
    for (const sources of Object.values(prices.sources)) expect(sources).toMatch(/^https:\/\//);
    for (const region of Object.values(prices.regions)) {
      expect(region.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const price of Object.values(region.prices)) {
        expect(price).toEqual({
          usd: expect.any(Number),
          unit: expect.any(String),
          source: expect.any(String),
        });
        expect(Object.keys(prices.sources)).toContain(price.source);
      }
    }
  });
});

import { readFileSync } from 'node:fs';
import { checkNames, type ProviderSchemaFile } from '../../scripts/terraform-validate/provider-schema';

// An excerpt of the hashicorp/aws 6.25.0 schema: aws_vpc, aws_eip, aws_ecs_service, aws_apigatewayv2_route.
const schema = JSON.parse(
  readFileSync(new URL('../fixtures/validate/schema.json', import.meta.url), 'utf8'),
) as ProviderSchemaFile;

describe('checkNames (names the stacks set, against the pinned provider schema)', () => {
  test('a stack that sets only known names, meta-arguments and other providers’ blocks passes', () => {
    const config = {
      '//': { metadata: {} },
      data: { terraform_remote_state: { Network: { backend: 'local', config: { path: 'x' } } } },
      resource: {
        aws_ecs_service: {
          Api: {
            '//': { metadata: { path: 'x' } },
            name: 'api',
            count: 2,
            depends_on: ['aws_vpc.Main'],
            provider: 'aws.west',
            lifecycle: { ignore_changes: ['desired_count', 'tags["x"]'], create_before_destroy: true },
            network_configuration: { subnets: ['subnet-1'], assign_public_ip: false },
            ordered_placement_strategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
            dynamic: { load_balancer: { for_each: `\${var.lbs}`, content: { container_port: 80 } } },
          },
        },
        random_id: { Suffix: { byte_length: 4 } },
      },
    };
    expect(checkNames(config, schema).findings).toEqual([]);
  });

  test('finds unknown types, unsupported and computed-only names, also in nested and dynamic blocks', () => {
    const config = {
      resource: {
        aws_vpcc: { Main: { cidr_block: '10.0.0.0/16' } },
        aws_vpc: { Main: { cidr_block: '10.0.0.0/16', arn: 'arn:aws:ec2:…' } },
        aws_ecs_service: {
          Api: {
            name: 'api',
            network_configuration: [{ subnet: [] }],
            dynamic: {
              load_balancers: { for_each: [], content: {} },
              load_balancer: { content: { port: 1 } },
            },
          },
        },
      },
    };
    expect(checkNames(config, schema).findings).toEqual([
      { where: 'resource.aws_vpcc.Main', message: expect.stringContaining('did you mean `aws_vpc`?') },
      { where: 'resource.aws_vpc.Main.arn', message: '`arn` is computed by the provider and cannot be set' },
      {
        where: 'resource.aws_ecs_service.Api.network_configuration[0].subnet',
        message: 'unsupported argument `subnet`; did you mean `subnets`?',
      },
      {
        where: 'resource.aws_ecs_service.Api.dynamic.load_balancers',
        message: 'unsupported block `load_balancers`; did you mean `load_balancer`?',
      },
      {
        where: 'resource.aws_ecs_service.Api.dynamic.load_balancer.content.port',
        message: expect.stringMatching(/^unsupported argument `port`/),
      },
    ]);
  });

  test('names the blocks it checked, without list indexes, so that a name Terraform refuses there can be told from a typo', () => {
    const config = {
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: {
        aws_ecs_service: { Api: { name: 'api', network_configuration: [{ subnets: [] }] } },
        random_id: { Suffix: { byte_length: 4 } },
      },
    };
    // The excerpt has no provider block, so `provider.aws` is left to Terraform.
    expect([...checkNames(config, schema).checked].sort()).toEqual([
      'resource.aws_ecs_service.Api',
      'resource.aws_ecs_service.Api.network_configuration',
    ]);
    expect(checkNames(config, undefined)).toEqual({ findings: [], checked: new Set() });
  });
});

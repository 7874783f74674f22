import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Diagnostic,
  hasStrippedDescriptions,
  type ProviderSchemaFile,
  uncheckedProviderBlocks,
  validateConfig,
} from '../../scripts/terraform-validate/index';

const fixtures = fileURLToPath(new URL('../fixtures/validate/', import.meta.url));
const schema = readJson('schema.json') as ProviderSchemaFile;

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(`${fixtures}${name}`, 'utf8'));
}

function config(name: string): Record<string, unknown> {
  return readJson(`configs/${name}.json`) as Record<string, unknown>;
}

/** `kind path` per diagnostic: compared whole, so an extra or missing diagnostic fails the test. */
function kindsAndPaths(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(({ kind, path }) => `${kind} ${path}`);
}

function messageAt(diagnostics: Diagnostic[], path: string): string {
  return diagnostics.find((diagnostic) => diagnostic.path === path)?.message ?? '';
}

describe('validateConfig', () => {
  it('finds nothing wrong in a valid configuration that uses every checked feature', () => {
    expect(validateConfig(config('valid'), schema)).toEqual([]);
  });

  it('checks the valid fixture for real: dropping a declaration it relies on is reported', () => {
    const broken = config('valid');
    delete broken.variable;
    expect(kindsAndPaths(validateConfig(broken, schema))).toEqual([
      'undeclared-reference resource.aws_vpc.Main.cidr_block',
    ]);
  });

  it('reports unknown resource and data source types, suggesting the closest', () => {
    const diagnostics = validateConfig(config('unknown-type'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'unknown-type resource.aws_vpcc.Main',
      'unknown-type data.aws_availability_zone.azs',
    ]);
    expect(messageAt(diagnostics, 'resource.aws_vpcc.Main')).toContain('did you mean `aws_vpc`?');
  });

  it('reports resources of a provider the schema file does not cover', () => {
    const diagnostics = validateConfig(config('missing-provider-schema'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual(['missing-provider-schema resource.random_id.Suffix']);
    expect(diagnostics[0]?.message).toContain('registry.terraform.io/hashicorp/random');
  });

  it('reports unsupported arguments, in nested blocks too', () => {
    const diagnostics = validateConfig(config('unsupported-argument'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'unsupported-argument resource.aws_apigatewayv2_route.Route.authorisation_type',
      'unsupported-argument resource.aws_ecs_service.Api.network_configuration[0].public_ip',
    ]);
    expect(messageAt(diagnostics, 'resource.aws_apigatewayv2_route.Route.authorisation_type')).toBe(
      'unsupported argument `authorisation_type`; did you mean `authorization_type`?',
    );
  });

  it('checks provider blocks when the schema has a provider-configuration schema', () => {
    expect(kindsAndPaths(validateConfig(config('provider-argument'), schema))).toEqual([
      'unsupported-argument provider.aws[0].regoin',
    ]);
    expect(uncheckedProviderBlocks(config('provider-argument'), schema)).toEqual([]);
  });

  it('leaves provider blocks unchecked, and says so, when the schema has no provider-configuration schema', () => {
    const withoutProviderSchema = structuredClone(schema) as {
      provider_schemas: Record<string, { provider?: unknown }>;
    };
    for (const provider of Object.values(withoutProviderSchema.provider_schemas)) delete provider.provider;
    const schemaFile = withoutProviderSchema as unknown as ProviderSchemaFile;
    expect(validateConfig(config('provider-argument'), schemaFile)).toEqual([]);
    expect(uncheckedProviderBlocks(config('provider-argument'), schemaFile)).toEqual(['aws']);
  });

  it('reports computed-only arguments that are set', () => {
    const diagnostics = validateConfig(config('computed-only'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual(['computed-only resource.aws_vpc.Main.arn']);
    expect(diagnostics[0]?.message).toContain('read-only');
  });

  it('reports missing required arguments (null counts as missing) and blocks', () => {
    const diagnostics = validateConfig(config('missing-required'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'missing-required resource.aws_apigatewayv2_route.Route.route_key',
      'missing-required resource.aws_lb_listener.Http.default_action',
      'missing-required resource.aws_ecs_service.Api.network_configuration[0].subnets',
    ]);
    expect(messageAt(diagnostics, 'resource.aws_lb_listener.Http.default_action')).toContain('at least 1');
  });

  it('reports more blocks than max_items allows', () => {
    const diagnostics = validateConfig(config('too-many-blocks'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'too-many-blocks resource.aws_ecs_service.Api.network_configuration',
    ]);
    expect(diagnostics[0]?.message).toContain('at most 1 `network_configuration` block allowed, found 2');
  });

  it('reports literal values that Terraform cannot convert to the argument type', () => {
    const diagnostics = validateConfig(config('wrong-type'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'wrong-type resource.aws_vpc.Main.cidr_block',
      'wrong-type resource.aws_vpc.Main.enable_dns_hostnames',
      'wrong-type resource.aws_vpc.Main.instance_tenancy_count',
      'wrong-type resource.aws_vpc.Main.tags',
      'wrong-type resource.aws_ecs_service.Api.desired_count',
      'wrong-type resource.aws_ecs_service.Api.network_configuration[0].subnets[1]',
      'wrong-type resource.aws_ecs_service.Api.network_configuration[0].security_groups',
      'wrong-type resource.aws_apigatewayv2_route.Route.authorization_scopes',
      'wrong-type resource.aws_security_group.Service.ingress[0]',
    ]);
    expect(messageAt(diagnostics, 'resource.aws_vpc.Main.instance_tenancy_count')).toBe(
      'expected a number, got string "two"',
    );
    expect(messageAt(diagnostics, 'resource.aws_security_group.Service.ingress[0]')).toContain(
      '`cidr_blocks`',
    );
  });

  it('reports references to undeclared resources, data sources, variables and locals', () => {
    const diagnostics = validateConfig(config('undeclared-reference'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'undeclared-reference resource.aws_vpc.Main.cidr_block',
      'undeclared-reference resource.aws_vpc.Main.tags["Name"]',
      'undeclared-reference resource.aws_vpc.Main.tags["Zone"]',
      'undeclared-reference resource.aws_subnet.Private.depends_on[0]',
      'undeclared-reference resource.aws_subnet.Private.vpc_id',
    ]);
    expect(messageAt(diagnostics, 'resource.aws_subnet.Private.vpc_id')).toBe(
      'reference to undeclared resource `aws_vpc.Mian`; did you mean `aws_vpc.Main`?',
    );
    expect(messageAt(diagnostics, 'resource.aws_vpc.Main.cidr_block')).toContain('`var.cidr_block`');
  });

  it('reports references to attributes, nested attributes and instances the resource does not have', () => {
    const diagnostics = validateConfig(config('unsupported-reference'), schema);
    expect(kindsAndPaths(diagnostics)).toEqual([
      'unsupported-reference resource.aws_subnet.Private.vpc_id',
      'unsupported-reference resource.aws_subnet.Public.vpc_id',
      'unsupported-reference resource.aws_subnet.Public.cidr_block',
      'unsupported-reference resource.aws_ecs_service.Api.lifecycle.ignore_changes[0]',
      'unsupported-reference resource.aws_ecs_service.Api.tags["Subnets"]',
      'unsupported-reference resource.aws_ecs_service.Api.tags["Port"]',
    ]);
    expect(messageAt(diagnostics, 'resource.aws_subnet.Private.vpc_id')).toContain('did you mean `id`?');
    expect(messageAt(diagnostics, 'resource.aws_ecs_service.Api.tags["Subnets"]')).toContain(
      '`aws_ecs_service.Api.network_configuration[0]` has no attribute or block `subnet`',
    );
  });

  it('reports template strings that cannot be parsed', () => {
    expect(kindsAndPaths(validateConfig(config('invalid-expression'), schema))).toEqual([
      'invalid-expression resource.aws_vpc.Main.cidr_block',
    ]);
  });

  it('warns about deprecated arguments without making them errors', () => {
    const diagnostics = validateConfig(config('deprecated'), schema);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        kind: 'deprecated',
        path: 'resource.aws_vpc.Main.enable_classiclink',
      }),
    ]);
  });

  it('rejects a configuration that is not a JSON object', () => {
    expect(kindsAndPaths(validateConfig([], schema))).toEqual(['wrong-type ']);
  });
});

describe('a schema file stripped of its descriptions', () => {
  // `terraform providers schema -json` writes `description_kind` on every block; removing the
  // `description` keys from such a file also removes every argument named `description`.
  const withDescription = {
    resource: { aws_vpc: { Main: { cidr_block: '10.0.0.0/16', description: 'x' } } },
  };

  it('a complete file reports a `description` its block does not have', () => {
    expect(hasStrippedDescriptions(schema)).toBe(false);
    expect(kindsAndPaths(validateConfig(withDescription, schema))).toEqual([
      'unsupported-argument resource.aws_vpc.Main.description',
    ]);
  });

  it('a stripped file cannot vouch for `description` arguments, so they are not reported', () => {
    const stripped = JSON.parse(JSON.stringify(schema), (key, value) =>
      key === 'description_kind' ? undefined : value,
    ) as ProviderSchemaFile;
    expect(hasStrippedDescriptions(stripped)).toBe(true);
    expect(kindsAndPaths(validateConfig(withDescription, stripped))).toEqual([]);
  });
});

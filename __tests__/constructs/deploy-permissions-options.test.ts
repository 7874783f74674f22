// The deploy role of an environment with every option of issue 17 on (dev's no NAT and Fargate Spot, and
// a custom domain): the same contract as dev's and prod's, each new permission held to its own resources.
import { type TerraformStack, Testing } from 'cdktf';
import { type EnvironmentConfig, stackName } from '../../constructs/config';
import { deployPolicyDocuments } from '../../constructs/deploy-permissions/index';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import {
  ACCOUNT,
  allowsRequest,
  environmentNamed,
  permissionsOf,
  statementsWith,
} from './deploy-permissions-support';
import type { TerraformBlock } from './support';

const ZONE = 'Z0123456789ABCDEFGHIJ';
const dev = environmentNamed('dev');
const withOptions: EnvironmentConfig = {
  ...dev,
  network: { ...dev.network, natGateways: 'none' },
  service: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
  api: { ...dev.api, customDomain: { domainName: 'api.dev.example.com', hostedZoneId: ZONE } },
};

describe('the deploy role of an environment with a custom domain, no NAT and Fargate Spot', () => {
  const permissions = permissionsOf(withOptions);
  const stack = new PetStoreStack(Testing.app(), stackName(withOptions), {
    environment: withOptions,
    imageTag: 'abc123',
  });
  const synthesized = JSON.parse(Testing.synth(stack as TerraformStack)) as TerraformBlock;
  const resourceTypes = Object.keys(synthesized.resource);
  const tagged = (environment: string) => ({ Project: 'petstore', Environment: environment });
  const own = { resourceTags: tagged('dev'), requestTags: tagged('dev') };

  test('covers every resource type the stack synthesizes, and nothing the stack does not have', () => {
    const needed = new Set(permissions.flatMap((permission) => permission.neededBy));
    expect(resourceTypes.filter((type) => !needed.has(type))).toEqual([]);
    const stale = [...needed].filter((type) => !type.startsWith('tool:') && !resourceTypes.includes(type));
    expect(stale).toEqual([]);
    for (const type of [
      'aws_acm_certificate',
      'aws_acm_certificate_validation',
      'aws_route53_record',
      'aws_apigatewayv2_domain_name',
      'aws_apigatewayv2_api_mapping',
      'aws_ecs_cluster_capacity_providers',
    ])
      expect(resourceTypes).toContain(type);
    for (const type of ['aws_nat_gateway', 'aws_eip', 'aws_internet_gateway', 'aws_route'])
      expect(resourceTypes).not.toContain(type);
  });

  test('may no longer create NAT gateways, addresses or internet gateways, but may delete them (moving off NAT)', () => {
    for (const action of ['ec2:CreateNatGateway', 'ec2:AllocateAddress', 'ec2:CreateInternetGateway'])
      expect([action, statementsWith(permissions, action)]).toEqual([action, []]);
    const nat = `arn:aws:ec2:us-east-1:${ACCOUNT}:natgateway/nat-1`;
    expect(allowsRequest(permissions, 'ec2:DeleteNatGateway', nat, own)).toBe(true);
    expect(allowsRequest(permissions, 'ec2:DeleteNatGateway', nat, { resourceTags: tagged('prod') })).toBe(
      false,
    );
  });

  test('sets capacity providers on its own cluster only', () => {
    const cluster = (name: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/${name}`;
    expect(allowsRequest(permissions, 'ecs:PutClusterCapacityProviders', cluster('petstore-dev'), {})).toBe(
      true,
    );
    expect(allowsRequest(permissions, 'ecs:PutClusterCapacityProviders', cluster('petstore-prod'), {})).toBe(
      false,
    );
    expect(
      statementsWith(permissionsOf(environmentNamed('prod')), 'ecs:PutClusterCapacityProviders'),
    ).toEqual([]);
  });

  test("writes only the domain's own records, in its own zone", () => {
    const zone = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
    const change = (names: string[], types: string[]) => ({
      values: {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': names,
        'route53:ChangeResourceRecordSetsRecordTypes': types,
      },
    });
    const allowed = (zoneId: string, names: string[], types: string[]) =>
      allowsRequest(permissions, 'route53:ChangeResourceRecordSets', zone(zoneId), change(names, types));
    expect(allowed(ZONE, ['api.dev.example.com'], ['A', 'AAAA'])).toBe(true);
    expect(allowed(ZONE, ['_3f2a9c.api.dev.example.com'], ['CNAME'])).toBe(true);
    // The rest of the zone is the team's: its apex, other names, other kinds of record.
    expect(allowed(ZONE, ['example.com'], ['A'])).toBe(false);
    expect(allowed(ZONE, ['www.example.com'], ['CNAME'])).toBe(false);
    expect(allowed(ZONE, ['api.dev.example.com'], ['MX'])).toBe(false);
    expect(allowed(ZONE, ['api.dev.example.com', 'www.example.com'], ['A'])).toBe(false);
    // Nor another zone (Cloud Map's statement still allows its own names in any zone, as for dev).
    expect(allowed('ZOTHERZONE', ['api.dev.example.com'], ['A'])).toBe(false);
  });

  test('requests certificates for the domain alone, validated by DNS, tagged with the environment', () => {
    const certificates = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/*`;
    const request = (domains: string[], method: string, tags: Record<string, string>) => ({
      requestTags: tags,
      values: { 'acm:DomainNames': domains, 'acm:ValidationMethod': method },
    });
    const allowed = (context: ReturnType<typeof request>) =>
      allowsRequest(permissions, 'acm:RequestCertificate', certificates, context);
    expect(allowed(request(['api.dev.example.com'], 'DNS', tagged('dev')))).toBe(true);
    expect(allowed(request(['api.dev.example.com', 'www.example.com'], 'DNS', tagged('dev')))).toBe(false);
    expect(allowed(request(['api.dev.example.com'], 'EMAIL', tagged('dev')))).toBe(false);
    expect(allowed(request(['api.dev.example.com'], 'DNS', tagged('prod')))).toBe(false);
    const certificate = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/c1`;
    expect(allowsRequest(permissions, 'acm:DeleteCertificate', certificate, own)).toBe(true);
    expect(
      allowsRequest(permissions, 'acm:DeleteCertificate', certificate, { resourceTags: tagged('prod') }),
    ).toBe(false);
  });

  test('manages its own API Gateway domain name by name, and no other', () => {
    const domainName = (name: string) => `arn:aws:apigateway:us-east-1::/domainnames/${name}`;
    expect(allowsRequest(permissions, 'apigateway:DELETE', domainName('api.dev.example.com'), {})).toBe(true);
    expect(
      allowsRequest(permissions, 'apigateway:POST', `${domainName('api.dev.example.com')}/apimappings`, {}),
    ).toBe(true);
    expect(allowsRequest(permissions, 'apigateway:DELETE', domainName('api.example.com'), {})).toBe(false);
  });

  test('fits in managed policies IAM accepts: at most 6,144 characters each, 10 per role', () => {
    const documents = deployPolicyDocuments(permissions);
    expect(documents.map((document) => document.name)).toContain('domain');
    expect(documents.length).toBeLessThanOrEqual(10);
    for (const { document } of documents) expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
  });
});

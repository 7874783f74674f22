import { TerraformDataSource, type TerraformResource, TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { ServiceImage } from '../../constructs/image-repository';
import { Network, type NetworkProps } from '../../constructs/network';
import { PetTable } from '../../constructs/pet-table';
import { ServiceSecurityGroups } from '../../constructs/security-groups';
import { ServiceDiscovery } from '../../constructs/service-discovery';
import { UserAuth } from '../../constructs/user-auth';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON is untyped
export type TerraformBlock = Record<string, any>;

/** The bodies of every resource of a Terraform type in synthesized JSON, `//` metadata removed. */
export function resourcesOf(synthesized: string, type: string): TerraformBlock[] {
  const resources = (JSON.parse(synthesized).resource?.[type] ?? {}) as Record<string, TerraformBlock>;
  return Object.values(resources).map(({ '//': _metadata, ...body }) => body);
}

/** The single resource of a type; fails the test if there are none or several. */
export function onlyResource(synthesized: string, type: string): TerraformBlock {
  const found = resourcesOf(synthesized, type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0] as TerraformBlock;
}

/** The expression that refers to a resource's attribute, e.g. `${aws_vpc.Network_Vpc_1A2B.id}`. */
export function ref(resource: TerraformResource | TerraformDataSource, attribute: string): string {
  const logicalId = TerraformStack.of(resource).getLogicalId(resource);
  const prefix = resource instanceof TerraformDataSource ? 'data.' : '';
  return `\${${prefix}${resource.terraformResourceType}.${logicalId}.${attribute}}`;
}

/** References to the resources of a type whose body matches `predicate`, as `${type.id.attribute}`. */
export function refsWhere(
  synthesized: string,
  type: string,
  attribute: string,
  predicate: (body: TerraformBlock) => boolean,
) {
  const resources = (JSON.parse(synthesized).resource?.[type] ?? {}) as Record<string, TerraformBlock>;
  return Object.entries(resources)
    .filter(([, body]) => predicate(body))
    .map(([logicalId]) => `\${${type}.${logicalId}.${attribute}}`);
}

export const REGION = 'eu-west-1';
/** One AZ of REGION, by zone ID. */
export const ZONE_IDS = ['euw1-az1'];
/** The port the service constructs are given in these tests. */
export const CONTAINER_PORT = 8080;

/** What the service constructs take as collaborators, built with their defaults. */
export function serviceDependencies(scope: Construct, networkProps: Partial<NetworkProps> = {}) {
  const network = new Network(scope, 'Network', {
    namePrefix: 'test',
    region: REGION,
    availabilityZoneIds: ZONE_IDS,
    ...networkProps,
  });
  const table = new PetTable(scope, 'PetTable', { tableName: 'test-pets' });
  const serviceDiscovery = new ServiceDiscovery(scope, 'ServiceDiscovery', { network });
  const securityGroups = new ServiceSecurityGroups(scope, 'SecurityGroups', {
    network,
    namePrefix: 'test',
    containerPort: CONTAINER_PORT,
  });
  const image = new ServiceImage(scope, 'Image', { repositoryName: 'test/pet-service', imageTag: 'abc123' });
  return { network, table, serviceDiscovery, securityGroups, image };
}

export const synthScope = Testing.synthScope;

/** The props every PetFargateService in these tests shares, from `serviceDependencies`. */
export function fargateServiceProps(deps: ReturnType<typeof serviceDependencies>) {
  return {
    namePrefix: 'test',
    region: REGION,
    network: deps.network,
    table: deps.table,
    serviceDiscovery: deps.serviceDiscovery,
    securityGroup: deps.securityGroups.tasks,
    image: deps.image,
    containerPort: CONTAINER_PORT,
  };
}

/** The props every PetHttpApi in these tests shares: the collaborators and a user pool of its own. */
export function httpApiProps(scope: Construct, deps: ReturnType<typeof serviceDependencies>) {
  return {
    namePrefix: 'test',
    network: deps.network,
    serviceDiscovery: deps.serviceDiscovery,
    auth: new UserAuth(scope, 'Auth', { namePrefix: 'test', region: REGION }),
    vpcLinkSecurityGroup: deps.securityGroups.vpcLink,
  };
}

// `network.natGateways: 'none'`: no way out of the VPC but AWS's endpoints.

import { readdirSync, readFileSync } from 'node:fs';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { PetFargateService } from '../../constructs/fargate-service';
import { INTERFACE_ENDPOINT_SERVICES } from '../../constructs/interface-endpoints';
import { Network } from '../../constructs/network';
import {
  fargateServiceProps,
  onlyResource,
  REGION,
  ref,
  resourcesOf,
  serviceDependencies,
  synthScope,
} from './support';

const TWO_ZONES = ['euw1-az1', 'euw1-az2'];

function synthIsolated() {
  const refs = {
    tasks: '',
    vpcLink: '',
    endpoints: '',
    endpointAddresses: [] as string[],
  };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope, { natGateways: 'none', availabilityZoneIds: TWO_ZONES });
    new PetFargateService(scope, 'PetService', fargateServiceProps(deps));
    const endpoints = deps.network.interfaceEndpoints;
    if (!endpoints) throw new Error('no interface endpoints');
    refs.tasks = ref(deps.securityGroups.tasks, 'id');
    refs.vpcLink = ref(deps.securityGroups.vpcLink, 'id');
    refs.endpoints = ref(endpoints.securityGroup, 'id');
    refs.endpointAddresses = endpoints.endpoints.map((endpoint) => ref(endpoint, 'id').slice(2, -4));
  });
  return { synthesized, refs };
}

describe("Network with natGateways: 'none'", () => {
  const { synthesized, refs } = synthIsolated();

  test('has no NAT gateway, Elastic IP, internet gateway or public subnet', () => {
    expect(synthesized).not.toHaveResource(NatGateway);
    expect(synthesized).not.toHaveResource(Eip);
    expect(synthesized).not.toHaveResource(InternetGateway);
    const subnets = resourcesOf(synthesized, 'aws_subnet');
    expect(subnets.map((subnet) => subnet.tags.Tier)).toEqual(['private', 'private']);
  });

  test('no route leaves the VPC except to the DynamoDB and S3 gateway endpoints', () => {
    expect(resourcesOf(synthesized, 'aws_route')).toEqual([]);
    const gateways = resourcesOf(synthesized, 'aws_vpc_endpoint').filter(
      (endpoint) => endpoint.vpc_endpoint_type === 'Gateway',
    );
    expect(gateways.map((endpoint) => endpoint.service_name)).toEqual([
      `com.amazonaws.${REGION}.dynamodb`,
      `com.amazonaws.${REGION}.s3`,
    ]);
  });

  test('ECR api and dkr and CloudWatch Logs answer at their usual names inside the private subnets', () => {
    const interfaces = resourcesOf(synthesized, 'aws_vpc_endpoint').filter(
      (endpoint) => endpoint.vpc_endpoint_type === 'Interface',
    );
    expect(interfaces.map((endpoint) => endpoint.service_name)).toEqual([
      `com.amazonaws.${REGION}.ecr.api`,
      `com.amazonaws.${REGION}.ecr.dkr`,
      `com.amazonaws.${REGION}.logs`,
    ]);
    for (const endpoint of interfaces) {
      expect(endpoint).toMatchObject({
        private_dns_enabled: true,
        subnet_ids: [
          expect.stringMatching(/^\$\{aws_subnet\.Network_PrivateSubnet1_\w+\.id\}$/),
          expect.stringMatching(/^\$\{aws_subnet\.Network_PrivateSubnet2_\w+\.id\}$/),
        ],
        security_group_ids: [refs.endpoints],
      });
    }
  });

  test("the endpoints' security group admits exactly the tasks' group, on 443", () => {
    const ingress = resourcesOf(synthesized, 'aws_vpc_security_group_ingress_rule').filter(
      (rule) => rule.security_group_id === refs.endpoints,
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        referenced_security_group_id: refs.tasks,
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
      }),
    ]);
    expect(ingress[0]).not.toHaveProperty('cidr_ipv4');
    // And it sends nothing: an endpoint only answers.
    const egress = resourcesOf(synthesized, 'aws_vpc_security_group_egress_rule');
    expect(egress.filter((rule) => rule.security_group_id === refs.endpoints)).toEqual([]);
    const group = resourcesOf(synthesized, 'aws_security_group').find((g) =>
      g.name_prefix.includes('endpoints'),
    );
    expect(group).toMatchObject({ name_prefix: 'test-endpoints-' });
    expect(group?.ingress).toBeUndefined();
  });

  test('the tasks wait for the endpoints before the first one pulls its image', () => {
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(refs.endpointAddresses).toHaveLength(3);
    for (const endpoint of refs.endpointAddresses) expect(service.depends_on).toContain(endpoint);
  });

  test("the endpoints cover every AWS client the service creates: DynamoDB's, a gateway endpoint", () => {
    // The service's own calls (app/): each SDK client it imports needs an endpoint in an isolated VPC.
    const sources = readdirSync(new URL('../../app', import.meta.url), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(new URL(`../../app/${file}`, import.meta.url), 'utf8'));
    const clients = new Set(
      sources.flatMap((source) => [...source.matchAll(/from '@aws-sdk\/(client-[\w-]+)'/g)].map((m) => m[1])),
    );
    expect([...clients]).toEqual(['client-dynamodb']);
    // ECS itself needs the rest: the image (ECR api, dkr; layers from S3) and the awslogs driver.
    expect(INTERFACE_ENDPOINT_SERVICES).toEqual(['ecr.api', 'ecr.dkr', 'logs']);
  });
});

describe('Network with NAT', () => {
  test('has no interface endpoints, and its private routes are what the tasks wait for', () => {
    const synthesized = synthScope((scope) => {
      const network = new Network(scope, 'Network', {
        namePrefix: 'test',
        region: REGION,
        availabilityZoneIds: TWO_ZONES,
      });
      expect(network.interfaceEndpoints).toBeUndefined();
      expect(network.privateEgress).toHaveLength(2);
    });
    expect(
      resourcesOf(synthesized, 'aws_vpc_endpoint').filter(
        (endpoint) => endpoint.vpc_endpoint_type === 'Interface',
      ),
    ).toEqual([]);
  });
});

import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { TerraformVariable } from 'cdktf';
import { Network, type NetworkProps, zoneIdPrefix } from '../../constructs/network';
import { onlyResource, REGION, refsWhere, resourcesOf, synthScope, ZONE_IDS } from './support';

const TWO_ZONES = ['euw1-az1', 'euw1-az2'];
const THREE_ZONES = ['euw1-az1', 'euw1-az2', 'euw1-az3'];

function synthNetwork(props: Partial<NetworkProps> = {}) {
  const synthesized = synthScope((scope) => {
    new Network(scope, 'Network', {
      namePrefix: 'test',
      region: REGION,
      availabilityZoneIds: ZONE_IDS,
      ...props,
    });
  });
  return { synthesized };
}

/** Maps each private route table's default route to its NAT gateway reference. */
function privateDefaultRoutes(synthesized: string) {
  return resourcesOf(synthesized, 'aws_route').filter((route) => route.nat_gateway_id !== undefined);
}

describe('Network', () => {
  test('defaults to the design: a 10.0.0.0/16 VPC with DNS, one public and one private subnet', () => {
    const { synthesized } = synthNetwork();
    expect(synthesized).toHaveResourceWithProperties(Vpc, {
      cidr_block: '10.0.0.0/16',
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    const subnets = resourcesOf(synthesized, 'aws_subnet');
    expect(subnets.map((subnet) => subnet.tags.Tier).sort()).toEqual(['private', 'public']);
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(1);
    expect(resourcesOf(synthesized, 'aws_internet_gateway')).toHaveLength(1);
  });

  test('subnets sit in the configured AZs by zone ID, in order, and nothing looks AZs up', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: TWO_ZONES });
    const subnets = resourcesOf(synthesized, 'aws_subnet');
    expect(subnets).toHaveLength(4);
    const zoneOf = (tier: string) =>
      subnets.filter((subnet) => subnet.tags.Tier === tier).map((subnet) => subnet.availability_zone_id);
    expect(zoneOf('public')).toEqual(TWO_ZONES);
    expect(zoneOf('private')).toEqual(TWO_ZONES);
    // A position in a looked-up list shifts when an AZ is impaired; a zone ID never does.
    for (const subnet of subnets) expect(subnet).not.toHaveProperty('availability_zone');
    expect(JSON.parse(synthesized).data?.aws_availability_zones).toBeUndefined();
  });

  test('an AZ ID prefix is derived from the region', () => {
    expect(zoneIdPrefix('us-east-1')).toBe('use1');
    expect(zoneIdPrefix('eu-west-1')).toBe('euw1');
    expect(zoneIdPrefix('ap-southeast-2')).toBe('apse2');
    expect(zoneIdPrefix('eu-central-1')).toBe('euc1');
    expect(zoneIdPrefix('us-gov-west-1')).toBe('usgw1');
  });

  test('no subnet hands out public IPs', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: THREE_ZONES });
    expect(synthesized).not.toHaveResourceWithProperties(Subnet, { map_public_ip_on_launch: true });
  });

  test('public subnets route to the internet gateway, private subnets to the NAT gateway', () => {
    const { synthesized } = synthNetwork();
    const routes = resourcesOf(synthesized, 'aws_route');
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          destination_cidr_block: '0.0.0.0/0',
          gateway_id: expect.stringContaining('aws_internet_gateway.'),
        }),
        expect.objectContaining({
          destination_cidr_block: '0.0.0.0/0',
          nat_gateway_id: expect.stringContaining('aws_nat_gateway.'),
        }),
      ]),
    );
    const associations = resourcesOf(synthesized, 'aws_route_table_association');
    expect(associations).toHaveLength(2);
  });

  test('the NAT gateway sits in a public subnet with an Elastic IP', () => {
    const { synthesized } = synthNetwork();
    const [nat] = resourcesOf(synthesized, 'aws_nat_gateway');
    expect([nat?.subnet_id]).toEqual(
      refsWhere(synthesized, 'aws_subnet', 'id', (subnet) => subnet.tags.Tier === 'public'),
    );
    expect(nat?.allocation_id).toMatch(/^\$\{aws_eip\.\w+\.allocation_id\}$/);
  });

  test('one NAT gateway per AZ gives every private route table its own', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: THREE_ZONES, natGateways: 'per-az' });
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourcesOf(synthesized, 'aws_eip')).toHaveLength(3);
    const natTargets = new Set(privateDefaultRoutes(synthesized).map((route) => route.nat_gateway_id));
    expect(natTargets.size).toBe(3);
  });

  test('a single NAT gateway serves the private subnets of every AZ', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: TWO_ZONES });
    expect(synthesized).toHaveResource(NatGateway);
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(1);
    const routes = privateDefaultRoutes(synthesized);
    expect(routes).toHaveLength(2);
    expect(routes[0]?.nat_gateway_id).toBe(routes[1]?.nat_gateway_id);
  });

  test('subnets get distinct /24 ranges from the VPC range', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: THREE_ZONES });
    const ranges = resourcesOf(synthesized, 'aws_subnet').map((subnet) => subnet.cidr_block);
    expect(new Set(ranges).size).toBe(6);
    for (const range of ranges) expect(range).toMatch(/^\$\{cidrsubnet\("10\.0\.0\.0\/16", 8, \d+\)\}$/);
  });

  test('the DynamoDB gateway endpoint is on every private route table', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: TWO_ZONES });
    const privateRouteTables = refsWhere(synthesized, 'aws_route_table', 'id', (table) =>
      table.tags.Name.includes('private'),
    );
    expect(privateRouteTables).toHaveLength(2);
    expect(synthesized).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: `com.amazonaws.${REGION}.dynamodb`,
      vpc_endpoint_type: 'Gateway',
      route_table_ids: privateRouteTables,
    });
  });

  test('the S3 gateway endpoint (ECR image layers) is on every private route table', () => {
    const { synthesized } = synthNetwork({ availabilityZoneIds: TWO_ZONES });
    const privateRouteTables = refsWhere(synthesized, 'aws_route_table', 'id', (table) =>
      table.tags.Name.includes('private'),
    );
    expect(privateRouteTables).toHaveLength(2);
    const endpoints = resourcesOf(synthesized, 'aws_vpc_endpoint');
    expect(endpoints.map((endpoint) => endpoint.service_name).sort()).toEqual([
      `com.amazonaws.${REGION}.dynamodb`,
      `com.amazonaws.${REGION}.s3`,
    ]);
    expect(synthesized).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: `com.amazonaws.${REGION}.s3`,
      vpc_endpoint_type: 'Gateway',
      route_table_ids: privateRouteTables,
    });
  });

  test('no flow logs by default', () => {
    const { synthesized } = synthNetwork();
    expect(resourcesOf(synthesized, 'aws_flow_log')).toHaveLength(0);
    expect(resourcesOf(synthesized, 'aws_cloudwatch_log_group')).toHaveLength(0);
    expect(resourcesOf(synthesized, 'aws_iam_role')).toHaveLength(0);
  });

  test('flow logs record all traffic of the VPC into a log group with the retention asked for', () => {
    const { synthesized } = synthNetwork({ flowLogRetentionDays: 365 });
    const group = onlyResource(synthesized, 'aws_cloudwatch_log_group');
    expect(group.retention_in_days).toBe(365);
    const [groupArn] = refsWhere(synthesized, 'aws_cloudwatch_log_group', 'arn', () => true);
    const [roleArn] = refsWhere(synthesized, 'aws_iam_role', 'arn', () => true);
    const [vpcId] = refsWhere(synthesized, 'aws_vpc', 'id', () => true);
    expect(onlyResource(synthesized, 'aws_flow_log')).toMatchObject({
      vpc_id: vpcId,
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: groupArn,
      iam_role_arn: roleArn,
    });
  });

  test("the flow-log role is assumable only by this account's flow logs and writes only to their group", () => {
    const { synthesized } = synthNetwork({ flowLogRetentionDays: 30 });
    const [statement] = JSON.parse(onlyResource(synthesized, 'aws_iam_role').assume_role_policy).Statement;
    expect(statement.Principal).toEqual({ Service: 'vpc-flow-logs.amazonaws.com' });
    expect(statement.Condition.StringEquals['aws:SourceAccount']).toMatch(/data\.aws_caller_identity/);
    expect(statement.Condition.ArnLike['aws:SourceArn']).toMatch(/:vpc-flow-log\/\*$/);
    const [groupArn] = refsWhere(synthesized, 'aws_cloudwatch_log_group', 'arn', () => true);
    const policy = JSON.parse(onlyResource(synthesized, 'aws_iam_role_policy').policy);
    expect(policy.Statement).toHaveLength(3);
    // The group's own write grant, then what flow logs check on the way: its streams, and that it exists.
    expect(policy.Statement[0].Resource).toEqual([groupArn, `${groupArn}:*`]);
    expect(policy.Statement[1]).toMatchObject({
      Action: 'logs:DescribeLogStreams',
      Resource: [groupArn, `${groupArn}:*`],
    });
  });

  test('resource ids do not depend on the AZ count, so adding an AZ adds subnets rather than renaming the existing ones', () => {
    const ids = (availabilityZoneIds: string[]) =>
      Object.keys(
        JSON.parse(synthNetwork({ availabilityZoneIds }).synthesized).resource.aws_subnet as object,
      );
    const one = ids(ZONE_IDS);
    expect(one).toHaveLength(2);
    expect(ids(TWO_ZONES)).toEqual(expect.arrayContaining(one));
  });

  test.each<[Partial<NetworkProps>, string]>([
    [
      { availabilityZoneIds: [...THREE_ZONES, 'euw1-az4'] },
      '`availabilityZoneIds.length` is 4; expected an integer from 1 to 3.',
    ],
    [{ availabilityZoneIds: [] }, '`availabilityZoneIds.length` is 0; expected an integer from 1 to 3.'],
    [
      { availabilityZoneIds: ['eu-west-1a'] },
      "`availabilityZoneIds[0]` is 'eu-west-1a'; expected an AZ ID of eu-west-1, e.g. euw1-az1.",
    ],
    [
      { availabilityZoneIds: ['euw1-az1', 'use1-az2'] },
      "`availabilityZoneIds[1]` is 'use1-az2'; expected an AZ ID of eu-west-1, e.g. euw1-az1.",
    ],
    [
      { region: 'us-east-1', availabilityZoneIds: ['use1-az3'] },
      "`availabilityZoneIds[0]` is 'use1-az3'; API Gateway offers no VPC links in that AZ; pick another.",
    ],
    [
      { availabilityZoneIds: ['euw1-az2', 'euw1-az2'] },
      "`availabilityZoneIds[1]` is 'euw1-az2'; each AZ may appear once.",
    ],
    [{ flowLogRetentionDays: 100 }, '`flowLogRetentionDays` is 100; expected one of 1, 3, 5'],
    [{ natGateways: 'two' as never }, "`natGateways` is 'two'; expected one of 'single', 'per-az', 'none'."],
    [{ cidrBlock: '10.0.0.0/8' }, "`cidrBlock` is '10.0.0.0/8'; expected an IPv4 CIDR from /16 to /20"],
    [{ cidrBlock: '10.300.0.0/16' }, "`cidrBlock` is '10.300.0.0/16'"],
  ])('rejects %o', (props, message) => {
    expect(() => synthNetwork(props)).toThrow(message);
  });

  test('a zone ID or retention from a Terraform variable passes the checks, as in AWS CDK', () => {
    const synthesized = synthScope((scope) => {
      new Network(scope, 'Network', {
        namePrefix: 'test',
        region: REGION,
        availabilityZoneIds: [new TerraformVariable(scope, 'zone', { type: 'string' }).stringValue],
        flowLogRetentionDays: new TerraformVariable(scope, 'days', { type: 'number' }).numberValue,
      });
    });
    expect(resourcesOf(synthesized, 'aws_subnet').map((subnet) => subnet.availability_zone_id)).toEqual([
      `\${var.zone}`,
      `\${var.zone}`,
    ]);
    expect(onlyResource(synthesized, 'aws_cloudwatch_log_group').retention_in_days).toBe(`\${var.days}`);
  });
});

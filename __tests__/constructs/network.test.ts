import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Network, type NetworkProps } from '../../constructs/network';
import { REGION, refsWhere, resourcesOf, synthScope } from './support';

function synthNetwork(props: Partial<NetworkProps> = {}) {
  const synthesized = synthScope((scope) => {
    new Network(scope, 'Network', { namePrefix: 'test', region: REGION, ...props });
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

  test('never picks the AZ where API Gateway offers no VPC links', () => {
    const { synthesized } = synthNetwork();
    expect(synthesized).toHaveDataSourceWithProperties(DataAwsAvailabilityZones, {
      exclude_zone_ids: ['use1-az3'],
    });
  });

  test('no subnet hands out public IPs', () => {
    const { synthesized } = synthNetwork({ azCount: 3 });
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
    const { synthesized } = synthNetwork({ azCount: 3, natGateways: 'per-az' });
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourcesOf(synthesized, 'aws_eip')).toHaveLength(3);
    const natTargets = new Set(privateDefaultRoutes(synthesized).map((route) => route.nat_gateway_id));
    expect(natTargets.size).toBe(3);
  });

  test('a single NAT gateway serves the private subnets of every AZ', () => {
    const { synthesized } = synthNetwork({ azCount: 2 });
    expect(synthesized).toHaveResource(NatGateway);
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(1);
    const routes = privateDefaultRoutes(synthesized);
    expect(routes).toHaveLength(2);
    expect(routes[0]?.nat_gateway_id).toBe(routes[1]?.nat_gateway_id);
  });

  test('subnets get distinct /24 ranges from the VPC range', () => {
    const { synthesized } = synthNetwork({ azCount: 3 });
    const ranges = resourcesOf(synthesized, 'aws_subnet').map((subnet) => subnet.cidr_block);
    expect(new Set(ranges).size).toBe(6);
    for (const range of ranges) expect(range).toMatch(/^\$\{cidrsubnet\("10\.0\.0\.0\/16", 8, \d+\)\}$/);
  });

  test('the DynamoDB gateway endpoint is on every private route table', () => {
    const { synthesized } = synthNetwork({ azCount: 2 });
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

  test('resource ids do not depend on the AZ count, so adding an AZ adds subnets rather than renaming the existing ones', () => {
    const ids = (azCount: number) =>
      Object.keys(JSON.parse(synthNetwork({ azCount }).synthesized).resource.aws_subnet as object);
    const one = ids(1);
    expect(ids(2)).toEqual(expect.arrayContaining(one));
  });

  test.each([
    [{ azCount: 4 }, '`azCount` is 4; expected an integer from 1 to 3.'],
    [{ azCount: 0 }, '`azCount` is 0; expected an integer from 1 to 3.'],
    [{ natGateways: 'two' as never }, "`natGateways` is 'two'; expected one of 'single', 'per-az'."],
    [{ cidrBlock: '10.0.0.0/8' }, "`cidrBlock` is '10.0.0.0/8'; expected an IPv4 CIDR from /16 to /20"],
    [{ cidrBlock: '10.300.0.0/16' }, "`cidrBlock` is '10.300.0.0/16'"],
  ])('rejects %o', (props, message) => {
    expect(() => synthNetwork(props)).toThrow(message);
  });
});

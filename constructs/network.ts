import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { requireIntegerInRange, requireMatch, requireOneOf } from './validation';

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_CIDR_16_TO_20 = new RegExp(`^(${OCTET}\\.){3}${OCTET}/(1[6-9]|20)$`);

export type NatGatewayMode = 'single' | 'per-az';

export interface NetworkProps {
  /** Prefix for resource names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  /** Region the VPC lives in; used for the DynamoDB gateway endpoint's service name. */
  readonly region: string;
  /** IPv4 range of the VPC. /16 to /20; subnets are /24s carved from it. @default '10.0.0.0/16' */
  readonly cidrBlock?: string;
  /** How many availability zones get one public and one private subnet each (1 to 3). @default 1 */
  readonly azCount?: number;
  /** One NAT gateway shared by all private subnets, or one per AZ so an AZ outage cannot cut egress. @default 'single' */
  readonly natGateways?: NatGatewayMode;
  /** AZ IDs never to use: API Gateway VPC links are not offered in every AZ. @default ['use1-az3'] */
  readonly excludedZoneIds?: string[];
}

/**
 * The VPC of the original design: public subnets behind an internet gateway, private subnets whose
 * egress (image pulls, CloudWatch Logs) goes through NAT, and a DynamoDB gateway endpoint so table
 * traffic stays on the AWS network and does not pay NAT data charges.
 */
export class Network extends Construct {
  /** The VPC. */
  public readonly resource: Vpc;
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  /** Where the tasks and the VPC link run: no route from the internet reaches them. */
  public readonly privateSubnetIds: string[];
  public readonly privateRouteTableIds: string[];
  /** The private subnets' routes to NAT: whatever needs egress from them (image pulls) must wait for these. */
  public readonly privateDefaultRoutes: Route[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidrBlock = props.cidrBlock ?? '10.0.0.0/16';
    const azCount = props.azCount ?? 1;
    const natGateways = props.natGateways ?? 'single';
    requireMatch(
      'cidrBlock',
      cidrBlock,
      IPV4_CIDR_16_TO_20,
      'an IPv4 CIDR from /16 to /20, e.g. 10.0.0.0/16',
    );
    requireIntegerInRange('azCount', azCount, 1, 3);
    requireOneOf('natGateways', natGateways, ['single', 'per-az'] as const);
    // /24 subnets: public ones from the bottom of the range, private ones from its upper half.
    const newBits = 24 - Number(cidrBlock.split('/')[1]);
    const privateOffset = 2 ** (newBits - 1);

    this.resource = new Vpc(this, 'Vpc', {
      cidrBlock,
      // Cloud Map private DNS names resolve only with both enabled.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: props.namePrefix },
    });
    this.vpcId = this.resource.id;

    // The default security group admits all traffic between its members; nothing should use it.
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId: this.vpcId,
      tags: { Name: `${props.namePrefix}-default-unused` },
    });

    const zones = new DataAwsAvailabilityZones(this, 'AvailabilityZones', {
      state: 'available',
      excludeZoneIds: props.excludedZoneIds ?? ['use1-az3'],
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
    const internetGateway = new InternetGateway(this, 'InternetGateway', {
      vpcId: this.vpcId,
      tags: { Name: props.namePrefix },
    });
    const publicRouteTable = new RouteTable(this, 'PublicRouteTable', {
      vpcId: this.vpcId,
      tags: { Name: `${props.namePrefix}-public` },
    });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });

    this.publicSubnetIds = [];
    this.privateSubnetIds = [];
    this.privateRouteTableIds = [];
    this.privateDefaultRoutes = [];
    const natGatewayIds: string[] = [];
    for (let az = 0; az < azCount; az++) {
      const zoneName = Fn.element(zones.names, az);
      // Ids keep their number whatever azCount is, so adding an AZ later creates resources and replaces none.
      const suffix = String(az + 1);
      const publicSubnet = new Subnet(this, `PublicSubnet${suffix}`, {
        vpcId: this.vpcId,
        availabilityZone: zoneName,
        cidrBlock: Fn.cidrsubnet(cidrBlock, newBits, az),
        // Only the NAT gateways live here and they get Elastic IPs; nothing should get a public IP by accident.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-public-${az + 1}`, Tier: 'public' },
      });
      new RouteTableAssociation(this, `PublicSubnetRouteTable${suffix}`, {
        subnetId: publicSubnet.id,
        routeTableId: publicRouteTable.id,
      });
      this.publicSubnetIds.push(publicSubnet.id);

      if (az === 0 || natGateways === 'per-az') {
        const eip = new Eip(this, `NatEip${suffix}`, {
          domain: 'vpc',
          tags: { Name: `${props.namePrefix}-nat-${az + 1}` },
        });
        const nat = new NatGateway(this, `NatGateway${suffix}`, {
          allocationId: eip.allocationId,
          subnetId: publicSubnet.id,
          tags: { Name: `${props.namePrefix}-${az + 1}` },
          // The NAT gateway needs the internet gateway attached before it can route.
          dependsOn: [internetGateway],
        });
        natGatewayIds.push(nat.id);
      }

      const privateSubnet = new Subnet(this, `PrivateSubnet${suffix}`, {
        vpcId: this.vpcId,
        availabilityZone: zoneName,
        cidrBlock: Fn.cidrsubnet(cidrBlock, newBits, privateOffset + az),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-private-${az + 1}`, Tier: 'private' },
      });
      const privateRouteTable = new RouteTable(this, `PrivateRouteTable${suffix}`, {
        vpcId: this.vpcId,
        tags: { Name: `${props.namePrefix}-private-${az + 1}` },
      });
      const privateDefaultRoute = new Route(this, `PrivateDefaultRoute${suffix}`, {
        routeTableId: privateRouteTable.id,
        destinationCidrBlock: '0.0.0.0/0',
        // With a single NAT gateway every AZ egresses through the first one: cheaper, but tied to that AZ.
        natGatewayId: natGatewayIds[natGateways === 'per-az' ? az : 0],
      });
      new RouteTableAssociation(this, `PrivateSubnetRouteTable${suffix}`, {
        subnetId: privateSubnet.id,
        routeTableId: privateRouteTable.id,
      });
      this.privateSubnetIds.push(privateSubnet.id);
      this.privateRouteTableIds.push(privateRouteTable.id);
      this.privateDefaultRoutes.push(privateDefaultRoute);
    }

    new VpcEndpoint(this, 'DynamoDbEndpoint', {
      vpcId: this.vpcId,
      serviceName: `com.amazonaws.${props.region}.dynamodb`,
      vpcEndpointType: 'Gateway',
      routeTableIds: this.privateRouteTableIds,
      tags: { Name: `${props.namePrefix}-dynamodb` },
    });
  }
}

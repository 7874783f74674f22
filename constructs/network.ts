import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn, type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { assumedBy } from './iam';
import { InterfaceEndpoints } from './interface-endpoints';
import { LOG_RETENTION_DAYS, LogGroup } from './logs';
import { invalid, requireIntegerInRange, requireMatch, requireOneOf } from './validation';

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_CIDR_16_TO_20 = new RegExp(`^(${OCTET}\\.){3}${OCTET}/(1[6-9]|20)$`);

export type NatGatewayMode = 'single' | 'per-az' | 'none';

/** AZ IDs where API Gateway offers no VPC links: a subnet there would break the VPC link. */
export const ZONES_WITHOUT_VPC_LINKS: readonly string[] = ['use1-az3'];

const ZONE_ID = /^([a-z]{2,}\d+)-az\d+$/;
const DIRECTIONS: Readonly<Record<string, string>> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
  gov: 'g',
};

/** The prefix of a region's AZ IDs: `us-east-1` → `use1`, `ap-southeast-2` → `apse2`, `us-gov-west-1` → `usgw1`. */
export function zoneIdPrefix(region: string): string {
  const parts = region.split('-');
  const [area = '', ...rest] = parts;
  const number = rest.pop() ?? '';
  return `${area}${rest.map((part) => DIRECTIONS[part] ?? part).join('')}${number}`;
}

export interface NetworkProps {
  /** Prefix for resource names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  /** Region the VPC lives in; used for the DynamoDB gateway endpoint's service name. */
  readonly region: string;
  /** IPv4 range of the VPC. /16 to /20; subnets are /24s carved from it. @default '10.0.0.0/16' */
  readonly cidrBlock?: string;
  /**
   * The AZs, by zone ID (`use1-az1`; the same physical zone in every account, unlike names), that get
   * one public and one private subnet each: 1 to 3 of the region's. Pinned rather than picked from the
   * available ones: when an AZ is impaired that list shifts, and the next plan would replace subnets,
   * NAT, VPC link and service mid-incident. Append to grow; changing an entry replaces its subnets.
   */
  readonly availabilityZoneIds: readonly string[];
  /**
   * One NAT gateway shared by all private subnets; one per AZ so an AZ outage cannot cut egress; or
   * `none`: no NAT, no Elastic IP, no public subnets or internet gateway, and interface endpoints (ECR,
   * CloudWatch Logs) in the private subnets instead, so nothing in the VPC has a route to the internet.
   * @default 'single'
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Record the VPC's traffic (accepted and rejected) in CloudWatch Logs for this many days, for security
   * investigations. Costs CloudWatch Logs ingestion per GB. @default - no flow logs
   */
  readonly flowLogRetentionDays?: number;
}

/**
 * The VPC of the original design: public subnets behind an internet gateway, private subnets whose
 * egress (image pulls, CloudWatch Logs) goes through NAT, and DynamoDB and S3 gateway endpoints so table
 * traffic and ECR image layers (served from S3) stay on the AWS network and pay no NAT data charges.
 * With `natGateways: 'none'` only the private subnets remain, reaching AWS through endpoints alone.
 */
export class Network extends Construct {
  /** The VPC. */
  public readonly resource: Vpc;
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  /** Where the tasks and the VPC link run: no route from the internet reaches them. */
  public readonly privateSubnetIds: string[];
  public readonly privateRouteTableIds: string[];
  /**
   * How the private subnets reach AWS's APIs: the routes to NAT, or the interface endpoints with
   * `natGateways: 'none'`. Whatever needs that from them (image pulls) must wait for these.
   */
  public readonly privateEgress: ITerraformDependable[];
  /** With `natGateways: 'none'`, the endpoints the tasks reach ECR and CloudWatch Logs through. */
  public readonly interfaceEndpoints?: InterfaceEndpoints;
  /** The flow logs' log group, when flow logs are on. */
  public readonly flowLogGroup?: LogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidrBlock = props.cidrBlock ?? '10.0.0.0/16';
    const natGateways = props.natGateways ?? 'single';
    requireMatch(
      'cidrBlock',
      cidrBlock,
      IPV4_CIDR_16_TO_20,
      'an IPv4 CIDR from /16 to /20, e.g. 10.0.0.0/16',
    );
    validateZoneIds(props.availabilityZoneIds, props.region);
    const azCount = props.availabilityZoneIds.length;
    requireOneOf('natGateways', natGateways, ['single', 'per-az', 'none'] as const);
    if (props.flowLogRetentionDays !== undefined)
      requireOneOf('flowLogRetentionDays', props.flowLogRetentionDays, LOG_RETENTION_DAYS);
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

    this.publicSubnetIds = [];
    this.privateSubnetIds = [];
    this.privateRouteTableIds = [];
    this.privateEgress = [];
    // Public subnets hold only the NAT gateways: without NAT there is nothing public at all.
    const publicRouting = natGateways === 'none' ? undefined : this.createPublicRouting(props.namePrefix);
    const natGatewayIds: string[] = [];
    for (let az = 0; az < azCount; az++) {
      const zoneId = props.availabilityZoneIds[az];
      // Ids keep their number whatever azCount is, so adding an AZ later creates resources and replaces none.
      const suffix = String(az + 1);
      if (publicRouting) {
        const publicSubnet = new Subnet(this, `PublicSubnet${suffix}`, {
          vpcId: this.vpcId,
          availabilityZoneId: zoneId,
          cidrBlock: Fn.cidrsubnet(cidrBlock, newBits, az),
          // Only the NAT gateways live here and they get Elastic IPs; nothing should get a public IP by accident.
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.namePrefix}-public-${az + 1}`, Tier: 'public' },
        });
        new RouteTableAssociation(this, `PublicSubnetRouteTable${suffix}`, {
          subnetId: publicSubnet.id,
          routeTableId: publicRouting.routeTable.id,
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
            dependsOn: [publicRouting.internetGateway],
          });
          natGatewayIds.push(nat.id);
        }
      }
      const privateSubnet = new Subnet(this, `PrivateSubnet${suffix}`, {
        vpcId: this.vpcId,
        availabilityZoneId: zoneId,
        cidrBlock: Fn.cidrsubnet(cidrBlock, newBits, privateOffset + az),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-private-${az + 1}`, Tier: 'private' },
      });
      const privateRouteTable = new RouteTable(this, `PrivateRouteTable${suffix}`, {
        vpcId: this.vpcId,
        tags: { Name: `${props.namePrefix}-private-${az + 1}` },
      });
      if (natGateways !== 'none') {
        const privateDefaultRoute = new Route(this, `PrivateDefaultRoute${suffix}`, {
          routeTableId: privateRouteTable.id,
          destinationCidrBlock: '0.0.0.0/0',
          // With a single NAT gateway every AZ egresses through the first one: cheaper, but tied to that AZ.
          natGatewayId: natGatewayIds[natGateways === 'per-az' ? az : 0],
        });
        this.privateEgress.push(privateDefaultRoute);
      }
      new RouteTableAssociation(this, `PrivateSubnetRouteTable${suffix}`, {
        subnetId: privateSubnet.id,
        routeTableId: privateRouteTable.id,
      });
      this.privateSubnetIds.push(privateSubnet.id);
      this.privateRouteTableIds.push(privateRouteTable.id);
    }

    new VpcEndpoint(this, 'DynamoDbEndpoint', {
      vpcId: this.vpcId,
      serviceName: `com.amazonaws.${props.region}.dynamodb`,
      vpcEndpointType: 'Gateway',
      routeTableIds: this.privateRouteTableIds,
      tags: { Name: `${props.namePrefix}-dynamodb` },
    });
    // ECR serves image layers from S3: without this every pull of every task pays NAT data charges.
    new VpcEndpoint(this, 'S3Endpoint', {
      vpcId: this.vpcId,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: this.privateRouteTableIds,
      tags: { Name: `${props.namePrefix}-s3` },
    });
    if (natGateways === 'none') {
      this.interfaceEndpoints = new InterfaceEndpoints(this, 'InterfaceEndpoints', {
        namePrefix: props.namePrefix,
        region: props.region,
        vpcId: this.vpcId,
        subnetIds: this.privateSubnetIds,
      });
      this.privateEgress.push(...this.interfaceEndpoints.endpoints);
    }

    if (props.flowLogRetentionDays !== undefined) {
      this.flowLogGroup = this.createFlowLogs(props.namePrefix, props.region, props.flowLogRetentionDays);
    }
  }

  /** The internet gateway and the public subnets' route table, whose default route goes to it. */
  private createPublicRouting(namePrefix: string): {
    internetGateway: InternetGateway;
    routeTable: RouteTable;
  } {
    const internetGateway = new InternetGateway(this, 'InternetGateway', {
      vpcId: this.vpcId,
      tags: { Name: namePrefix },
    });
    const routeTable = new RouteTable(this, 'PublicRouteTable', {
      vpcId: this.vpcId,
      tags: { Name: `${namePrefix}-public` },
    });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: routeTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });
    return { internetGateway, routeTable };
  }

  private createFlowLogs(namePrefix: string, region: string, retentionDays: number): LogGroup {
    const partition = new DataAwsPartition(this, 'Partition');
    const account = new DataAwsCallerIdentity(this, 'Account');
    const logGroup = new LogGroup(this, 'FlowLogGroup', {
      name: `/aws/vpc/${namePrefix}/flow-logs`,
      retentionInDays: retentionDays,
    });
    // Only VPC flow logs of this account may assume the role (confused-deputy guard, as AWS documents).
    const role = new IamRole(this, 'FlowLogRole', {
      name: `${namePrefix}-vpc-flow-logs`,
      description: 'VPC flow logs write to their log group',
      assumeRolePolicy: assumedBy('vpc-flow-logs.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': account.accountId },
        ArnLike: {
          'aws:SourceArn': `arn:${partition.partition}:ec2:${region}:${account.accountId}:vpc-flow-log/*`,
        },
      }),
    });
    logGroup.grantWrite(role, [
      { Effect: 'Allow', Action: 'logs:DescribeLogStreams', Resource: [logGroup.arn, `${logGroup.arn}:*`] },
      // Flow logs check the destination exists; DescribeLogGroups has no resource to scope it to.
      { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
    ]);
    new FlowLog(this, 'FlowLog', {
      vpcId: this.vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      // One-minute records, rather than ten, so an investigation sees what happened when.
      maxAggregationInterval: 60,
      tags: { Name: namePrefix },
    });
    return logGroup;
  }
}

function validateZoneIds(zoneIds: readonly string[], region: string): void {
  requireIntegerInRange('availabilityZoneIds.length', zoneIds.length, 1, 3);
  const prefix = zoneIdPrefix(region);
  zoneIds.forEach((zoneId, index) => {
    const field = `availabilityZoneIds[${index}]`;
    if (Token.isUnresolved(zoneId)) return;
    requireMatch(field, zoneId, ZONE_ID, `an AZ ID of ${region}, e.g. ${prefix}-az1`);
    if (ZONE_ID.exec(zoneId)?.[1] !== prefix)
      throw invalid(field, zoneId, `expected an AZ ID of ${region}, e.g. ${prefix}-az1`);
    if (ZONES_WITHOUT_VPC_LINKS.includes(zoneId))
      throw invalid(field, zoneId, 'API Gateway offers no VPC links in that AZ; pick another');
    if (zoneIds.indexOf(zoneId) !== index) throw invalid(field, zoneId, 'each AZ may appear once');
  });
}

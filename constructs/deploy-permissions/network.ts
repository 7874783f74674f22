import type { DeployPermission, Scope } from './context';

type Create = readonly [action: string, resource: string, neededBy: string];

/** The creates of the way out through NAT, which `natGateways: 'none'` has not. */
const NAT_CREATES: readonly Create[] = [
  ['ec2:CreateInternetGateway', 'internet-gateway', 'aws_internet_gateway'],
  ['ec2:AllocateAddress', 'elastic-ip', 'aws_eip'],
  ['ec2:CreateNatGateway', 'natgateway', 'aws_nat_gateway'],
];

/** Each create call, and the one kind of resource it makes (which it must tag with the environment). */
const CREATES: readonly Create[] = [
  ['ec2:CreateVpc', 'vpc', 'aws_vpc'],
  ['ec2:CreateSubnet', 'subnet', 'aws_subnet'],
  ...NAT_CREATES,
  ['ec2:CreateRouteTable', 'route-table', 'aws_route_table'],
  ['ec2:CreateSecurityGroup', 'security-group', 'aws_security_group'],
  ['ec2:CreateVpcEndpoint', 'vpc-endpoint', 'aws_vpc_endpoint'],
  ['ec2:AuthorizeSecurityGroupIngress', 'security-group-rule', 'aws_vpc_security_group_ingress_rule'],
  ['ec2:AuthorizeSecurityGroupEgress', 'security-group-rule', 'aws_vpc_security_group_egress_rule'],
];

/** Calls on resources that exist: allowed only on those tagged with this environment. */
const CHANGES = [
  // The existing resources a create call names too: a subnet's VPC, a NAT gateway's subnet and address,
  // an endpoint's VPC, route tables and groups, a rule's group.
  ...CREATES.map(([action]) => action),
  'ec2:DeleteVpc',
  'ec2:ModifyVpcAttribute',
  'ec2:DeleteSubnet',
  'ec2:ModifySubnetAttribute',
  'ec2:DeleteInternetGateway',
  'ec2:AttachInternetGateway',
  'ec2:DetachInternetGateway',
  'ec2:ReleaseAddress',
  'ec2:DisassociateAddress',
  'ec2:DeleteNatGateway',
  'ec2:DeleteRouteTable',
  'ec2:AssociateRouteTable',
  'ec2:DisassociateRouteTable',
  'ec2:CreateRoute',
  'ec2:ReplaceRoute',
  'ec2:DeleteRoute',
  'ec2:ModifyVpcEndpoint',
  'ec2:DeleteVpcEndpoints',
  'ec2:DeleteSecurityGroup',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
  'ec2:ModifySecurityGroupRules',
  'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
  'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
];

/**
 * The VPC and everything in it. dev and prod may share an account and region, so a deploy role reaches
 * only what carries its environment's tag: creates must tag what they make with it (the provider sends
 * the stack's default tags), and every other change needs the tag on the resource already. Only the
 * Describe calls keep `*`: EC2 has no resource-level permissions for them.
 */
export function networkPermissions(scope: Scope): DeployPermission[] {
  const { arn, flowLogs, inRegion, taggedForEnvironment, creatingForEnvironment, retaggingOwn } = scope;
  const { isolatedNetwork } = scope;
  const creates = [
    ...CREATES.filter((create) => !(isolatedNetwork && NAT_CREATES.includes(create))),
    ...(flowLogs ? [['ec2:CreateFlowLogs', 'vpc-flow-log', 'aws_flow_log'] as const] : []),
  ];
  return [
    {
      policy: 'network',
      neededBy: creates.map(([, , type]) => type),
      // `*` because EC2 offers no resource scope for Describe calls.
      statement: {
        Sid: 'NetworkReads',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeAccountAttributes',
          'ec2:DescribeAddresses',
          'ec2:DescribeAddressesAttribute',
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInternetGateways',
          'ec2:DescribeNatGateways',
          'ec2:DescribeNetworkAcls',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribePrefixLists',
          'ec2:DescribeRegions',
          'ec2:DescribeRouteTables',
          'ec2:DescribeSecurityGroupRules',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeTags',
          'ec2:DescribeVpcAttribute',
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeVpcEndpointServices',
          'ec2:DescribeVpcs',
          ...(flowLogs ? ['ec2:DescribeFlowLogs'] : []),
        ],
        Resource: '*',
        Condition: inRegion,
      },
    },
    // One statement per create: the new resource's type only, so a create cannot name another
    // environment's resource under a new resource's tag (a subnet in prod's VPC, a rule on prod's group).
    ...creates.map(
      ([action, resource, type]): DeployPermission => ({
        policy: 'network',
        neededBy: [type],
        statement: {
          Sid: `New${action.slice(4)}`,
          Effect: 'Allow',
          Action: [action],
          Resource: arn('ec2', `${resource}/*`),
          Condition: creatingForEnvironment,
        },
      }),
    ),
    {
      policy: 'network-changes',
      // The deletes of NAT's resources stay: they take an environment from NAT to `none`.
      neededBy: [
        ...(isolatedNetwork ? [] : ['aws_route']),
        'aws_route_table_association',
        'aws_default_security_group',
        ...creates.map(([, , type]) => type),
      ],
      statement: {
        Sid: 'NetworkChanges',
        Effect: 'Allow',
        Action: [
          ...CHANGES.filter((action) => !(isolatedNetwork && NAT_CREATES.some(([nat]) => nat === action))),
          ...(flowLogs ? ['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs'] : []),
        ],
        Resource: arn('ec2', '*'),
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'network-changes',
      neededBy: creates.map(([, , type]) => type),
      // Tags given with a create call (tag on create), on what that call makes.
      statement: {
        Sid: 'TagOnCreate',
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: arn('ec2', '*'),
        Condition: {
          ...creatingForEnvironment,
          StringEquals: {
            ...creatingForEnvironment.StringEquals,
            'ec2:CreateAction': creates.map(([action]) => action.slice(4)),
          },
        },
      },
    },
    {
      policy: 'network-changes',
      neededBy: creates.map(([, , type]) => type),
      // Tag changes on this environment's resources, never moving one to another environment.
      statement: {
        Sid: 'RetagOwnResources',
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
        Resource: arn('ec2', '*'),
        Condition: retaggingOwn,
      },
    },
    {
      policy: 'network-changes',
      neededBy: ['aws_default_security_group'],
      // A new VPC's default security group comes untagged. The provider adopts it by tagging it first
      // (then NetworkChanges empties its rules): this allows that tagging, of a group no environment has
      // claimed yet, with this environment's tags. It is also the one way to claim some other untagged
      // group in the region: EC2 offers no condition on a group's VPC being this stack's.
      statement: {
        Sid: 'AdoptDefaultSecurityGroup',
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: arn('ec2', 'security-group/*'),
        Condition: creatingForEnvironment,
      },
    },
    ...(isolatedNetwork ? [endpointPrivateDns(scope)] : []),
  ];
}

/**
 * An interface endpoint with private DNS associates the VPC with a hosted zone that the endpoint service
 * owns (CreateVpcEndpoint's dependent action). `*`: that zone is AWS's, with no tag or name to hold it to.
 */
function endpointPrivateDns(scope: Scope): DeployPermission {
  return {
    policy: 'network-changes',
    neededBy: ['aws_vpc_endpoint'],
    statement: {
      Sid: 'EndpointPrivateDns',
      Effect: 'Allow',
      Action: ['route53:AssociateVPCWithHostedZone'],
      Resource: `arn:${scope.context.partition}:route53:::hostedzone/*`,
    },
  };
}

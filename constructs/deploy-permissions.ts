import type { EnvironmentConfig } from './config';

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** The managed policies a deploy role gets, one per group of services (each under IAM's 6,144 characters). */
export type DeployPolicyName = 'network' | 'compute' | 'identity' | 'api' | 'observability' | 'data';

/** A statement, the policy it goes in, and what needs it: Terraform resource types, or a tool's name. */
export interface DeployPermission {
  readonly policy: DeployPolicyName;
  /** Terraform resource types (`aws_vpc`), or `tool:<name>` for what the scripts call. */
  readonly neededBy: readonly string[];
  readonly statement: PolicyStatement;
}

export interface DeployPermissionsContext {
  /** The environment the role deploys. */
  readonly environment: EnvironmentConfig;
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  readonly accountId: string;
  /** ARN of the state bucket. */
  readonly stateBucketArn: string;
}

/** Key of each stack's state under the bucket: `petstore/<stack>/terraform.tfstate` (see state-backend.ts). */
function stateKeyPrefix(stack: string): string {
  return `petstore/${stack}/`;
}

/**
 * What a deploy role needs to apply one environment's stack, push its image and run its smoke test,
 * and nothing more: every statement names the resources it is for where the service allows it (the
 * environment's `petstore-<env>-` names, its region), and says which resource types need it, so a test
 * can tie the list to what the stack synthesizes. Resource types whose API has no resource-level
 * permissions (most EC2 and Cloud Map calls) are held to the environment's region instead.
 */
export function deployPermissions(context: DeployPermissionsContext): DeployPermission[] {
  const { environment, partition, accountId } = context;
  const region = environment.region;
  const prefix = `petstore-${environment.name}`;
  const arn = (service: string, resource: string, regional = true) =>
    `arn:${partition}:${service}:${regional ? region : ''}:${accountId}:${resource}`;
  const inRegion = { StringEquals: { 'aws:RequestedRegion': region } };
  const role = (name: string) => `arn:${partition}:iam::${accountId}:role/${name}`;
  const serviceLinkedRole = (service: string, name: string) =>
    `arn:${partition}:iam::${accountId}:role/aws-service-role/${service}/${name}`;
  const taggedForEnvironment = {
    StringEquals: { 'aws:ResourceTag/Project': 'petstore', 'aws:ResourceTag/Environment': environment.name },
  };
  const autoscaling = environment.service?.autoscaling !== undefined;
  const flowLogs = environment.network.flowLogRetentionDays !== undefined;
  const sesEmail = environment.auth?.emailSender !== undefined;
  const alarmSubscriptions = (environment.monitoring?.alarmSubscriptions ?? []).length > 0;

  const permissions: (DeployPermission | false)[] = [
    {
      policy: 'network',
      neededBy: [
        'aws_vpc',
        'aws_default_security_group',
        'aws_subnet',
        'aws_internet_gateway',
        'aws_eip',
        'aws_nat_gateway',
        'aws_route_table',
        'aws_route',
        'aws_route_table_association',
        'aws_vpc_endpoint',
        'aws_security_group',
        'aws_vpc_security_group_ingress_rule',
        'aws_vpc_security_group_egress_rule',
        ...(flowLogs ? ['aws_flow_log'] : []),
      ],
      // EC2 has resource-level permissions for some of these calls only, and none for the Describe ones.
      statement: {
        Sid: 'Network',
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
          'ec2:CreateVpc',
          'ec2:DeleteVpc',
          'ec2:ModifyVpcAttribute',
          'ec2:CreateSubnet',
          'ec2:DeleteSubnet',
          'ec2:ModifySubnetAttribute',
          'ec2:CreateInternetGateway',
          'ec2:DeleteInternetGateway',
          'ec2:AttachInternetGateway',
          'ec2:DetachInternetGateway',
          'ec2:AllocateAddress',
          'ec2:ReleaseAddress',
          'ec2:DisassociateAddress',
          'ec2:CreateNatGateway',
          'ec2:DeleteNatGateway',
          'ec2:CreateRouteTable',
          'ec2:DeleteRouteTable',
          'ec2:AssociateRouteTable',
          'ec2:DisassociateRouteTable',
          'ec2:CreateRoute',
          'ec2:ReplaceRoute',
          'ec2:DeleteRoute',
          'ec2:CreateVpcEndpoint',
          'ec2:ModifyVpcEndpoint',
          'ec2:DeleteVpcEndpoints',
          'ec2:CreateSecurityGroup',
          'ec2:DeleteSecurityGroup',
          'ec2:AuthorizeSecurityGroupIngress',
          'ec2:AuthorizeSecurityGroupEgress',
          'ec2:RevokeSecurityGroupIngress',
          'ec2:RevokeSecurityGroupEgress',
          'ec2:ModifySecurityGroupRules',
          'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
          'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
          ...(flowLogs ? ['ec2:CreateFlowLogs', 'ec2:DescribeFlowLogs', 'ec2:DeleteFlowLogs'] : []),
          'ec2:CreateTags',
          'ec2:DeleteTags',
        ],
        Resource: '*',
        Condition: inRegion,
      },
    },
    {
      policy: 'compute',
      neededBy: ['aws_ecs_cluster', 'aws_ecs_service', 'aws_ecs_task_definition'],
      statement: {
        Sid: 'EcsClusterAndService',
        Effect: 'Allow',
        Action: [
          'ecs:CreateCluster',
          'ecs:DeleteCluster',
          'ecs:DescribeClusters',
          'ecs:UpdateCluster',
          'ecs:UpdateClusterSettings',
          'ecs:CreateService',
          'ecs:UpdateService',
          'ecs:DeleteService',
          'ecs:DescribeServices',
          'ecs:TagResource',
          'ecs:UntagResource',
          'ecs:ListTagsForResource',
        ],
        Resource: [
          arn('ecs', `cluster/${prefix}`),
          arn('ecs', `service/${prefix}/*`),
          arn('ecs', `task-definition/${prefix}-*:*`),
        ],
      },
    },
    {
      policy: 'compute',
      neededBy: ['aws_ecs_task_definition'],
      // No resource-level permissions for these. No DeregisterTaskDefinition: old revisions are kept
      // (skip_destroy) for rollbacks, so Terraform never calls it.
      statement: {
        Sid: 'EcsTaskDefinitions',
        Effect: 'Allow',
        Action: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
        Resource: '*',
        Condition: inRegion,
      },
    },
    {
      policy: 'compute',
      neededBy: ['aws_ecr_repository', 'aws_ecr_lifecycle_policy', 'tool:image:push'],
      statement: {
        Sid: 'EcrRepositoryAndPush',
        Effect: 'Allow',
        Action: [
          'ecr:CreateRepository',
          'ecr:DeleteRepository',
          'ecr:DescribeRepositories',
          'ecr:PutImageTagMutability',
          'ecr:PutImageScanningConfiguration',
          'ecr:PutLifecyclePolicy',
          'ecr:GetLifecyclePolicy',
          'ecr:DeleteLifecyclePolicy',
          'ecr:TagResource',
          'ecr:UntagResource',
          'ecr:ListTagsForResource',
          'ecr:DescribeImages',
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
        ],
        Resource: arn('ecr', `repository/${prefix}/*`),
      },
    },
    {
      policy: 'compute',
      neededBy: ['tool:image:push'],
      // `docker login` to ECR: an account-level call without a resource.
      statement: { Sid: 'EcrLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
    },
    autoscaling && {
      policy: 'compute',
      neededBy: ['aws_appautoscaling_target', 'aws_appautoscaling_policy'],
      statement: {
        Sid: 'ServiceAutoscaling',
        Effect: 'Allow',
        Action: [
          'application-autoscaling:RegisterScalableTarget',
          'application-autoscaling:DeregisterScalableTarget',
          'application-autoscaling:DescribeScalableTargets',
          'application-autoscaling:PutScalingPolicy',
          'application-autoscaling:DeleteScalingPolicy',
          'application-autoscaling:DescribeScalingPolicies',
          'application-autoscaling:TagResource',
          'application-autoscaling:UntagResource',
          'application-autoscaling:ListTagsForResource',
        ],
        Resource: '*',
        Condition: inRegion,
      },
    },
    {
      policy: 'identity',
      neededBy: ['aws_iam_role', 'aws_iam_role_policy'],
      // Only the stack's own roles; the deploy roles are named petstore-github-*, outside this prefix.
      statement: {
        Sid: 'StackRoles',
        Effect: 'Allow',
        Action: [
          'iam:CreateRole',
          'iam:DeleteRole',
          'iam:GetRole',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:ListRolePolicies',
          'iam:ListAttachedRolePolicies',
          'iam:ListInstanceProfilesForRole',
          'iam:GetRolePolicy',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
        ],
        Resource: role(`${prefix}-*`),
      },
    },
    {
      policy: 'identity',
      neededBy: ['aws_ecs_task_definition'],
      statement: {
        Sid: 'PassTaskRoles',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [role(`${prefix}-task-execution`), role(`${prefix}-pet-service`)],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    },
    flowLogs && {
      policy: 'identity',
      neededBy: ['aws_flow_log'],
      statement: {
        Sid: 'PassFlowLogRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: role(`${prefix}-vpc-flow-logs`),
        Condition: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
      },
    },
    {
      policy: 'identity',
      neededBy: [
        'aws_ecs_cluster',
        'aws_apigatewayv2_vpc_link',
        ...(autoscaling ? ['aws_appautoscaling_target'] : []),
      ],
      // A fresh account has none of these yet; the first cluster, VPC link and scalable target create them.
      statement: {
        Sid: 'ServiceLinkedRoles',
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: [
          serviceLinkedRole('ecs.amazonaws.com', 'AWSServiceRoleForECS'),
          serviceLinkedRole('ops.apigateway.amazonaws.com', 'AWSServiceRoleForAPIGateway'),
          ...(autoscaling
            ? [
                serviceLinkedRole(
                  'ecs.application-autoscaling.amazonaws.com',
                  'AWSServiceRoleForApplicationAutoScaling_ECSService',
                ),
              ]
            : []),
          ...(sesEmail
            ? [
                serviceLinkedRole(
                  'email.cognito-idp.amazonaws.com',
                  'AWSServiceRoleForAmazonCognitoIdpEmailService',
                ),
              ]
            : []),
        ],
        Condition: {
          StringEquals: {
            'iam:AWSServiceName': [
              'ecs.amazonaws.com',
              'ops.apigateway.amazonaws.com',
              ...(autoscaling ? ['ecs.application-autoscaling.amazonaws.com'] : []),
              ...(sesEmail ? ['email.cognito-idp.amazonaws.com'] : []),
            ],
          },
        },
      },
    },
    {
      policy: 'identity',
      neededBy: ['aws_cognito_user_pool'],
      statement: {
        Sid: 'CreateUserPool',
        Effect: 'Allow',
        Action: ['cognito-idp:CreateUserPool'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:RequestedRegion': region,
            'aws:RequestTag/Project': 'petstore',
            'aws:RequestTag/Environment': environment.name,
          },
        },
      },
    },
    {
      policy: 'identity',
      neededBy: ['aws_cognito_user_pool', 'aws_cognito_user_pool_client'],
      // Pool ids are random, so the pools are told apart by the tags every stack gives its resources.
      statement: {
        Sid: 'ManageUserPool',
        Effect: 'Allow',
        Action: [
          'cognito-idp:DescribeUserPool',
          'cognito-idp:UpdateUserPool',
          'cognito-idp:DeleteUserPool',
          'cognito-idp:GetUserPoolMfaConfig',
          'cognito-idp:SetUserPoolMfaConfig',
          'cognito-idp:CreateUserPoolClient',
          'cognito-idp:DescribeUserPoolClient',
          'cognito-idp:UpdateUserPoolClient',
          'cognito-idp:DeleteUserPoolClient',
          'cognito-idp:TagResource',
          'cognito-idp:UntagResource',
          'cognito-idp:ListTagsForResource',
        ],
        Resource: arn('cognito-idp', 'userpool/*'),
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'identity',
      neededBy: ['tool:smoke'],
      // The smoke test's throwaway user. No other principal gets these, so only the deploy role can use
      // the smoke-test client's admin sign-in.
      statement: {
        Sid: 'SmokeTestUser',
        Effect: 'Allow',
        Action: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminSetUserPassword',
          'cognito-idp:AdminInitiateAuth',
          'cognito-idp:AdminDeleteUser',
        ],
        Resource: arn('cognito-idp', 'userpool/*'),
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'api',
      neededBy: [
        'aws_apigatewayv2_api',
        'aws_apigatewayv2_authorizer',
        'aws_apigatewayv2_integration',
        'aws_apigatewayv2_route',
        'aws_apigatewayv2_stage',
        'aws_apigatewayv2_vpc_link',
      ],
      statement: {
        Sid: 'HttpApi',
        Effect: 'Allow',
        Action: [
          'apigateway:GET',
          'apigateway:POST',
          'apigateway:PUT',
          'apigateway:PATCH',
          'apigateway:DELETE',
        ],
        Resource: [
          `arn:${partition}:apigateway:${region}::/apis`,
          `arn:${partition}:apigateway:${region}::/apis/*`,
          `arn:${partition}:apigateway:${region}::/vpclinks`,
          `arn:${partition}:apigateway:${region}::/vpclinks/*`,
          `arn:${partition}:apigateway:${region}::/tags/*`,
        ],
      },
    },
    {
      policy: 'api',
      neededBy: ['aws_apigatewayv2_stage'],
      // What an HTTP API stage's access logs need from whoever configures them (API Gateway's guide,
      // "Configuring logging for an HTTP API"); these calls have no resource-level permissions.
      statement: {
        Sid: 'AccessLogDelivery',
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
        ],
        Resource: '*',
      },
    },
    {
      policy: 'api',
      neededBy: [
        'aws_service_discovery_private_dns_namespace',
        'aws_service_discovery_service',
        'aws_ecs_service',
      ],
      statement: {
        Sid: 'CloudMap',
        Effect: 'Allow',
        Action: [
          'servicediscovery:CreatePrivateDnsNamespace',
          'servicediscovery:UpdatePrivateDnsNamespace',
          'servicediscovery:GetNamespace',
          'servicediscovery:DeleteNamespace',
          'servicediscovery:GetOperation',
          'servicediscovery:CreateService',
          'servicediscovery:GetService',
          'servicediscovery:UpdateService',
          'servicediscovery:DeleteService',
          'servicediscovery:ListInstances',
          'servicediscovery:DeregisterInstance',
          'servicediscovery:TagResource',
          'servicediscovery:UntagResource',
          'servicediscovery:ListTagsForResource',
        ],
        Resource: '*',
        Condition: inRegion,
      },
    },
    {
      policy: 'api',
      neededBy: ['aws_service_discovery_private_dns_namespace', 'aws_service_discovery_service'],
      // Cloud Map creates the namespace's private hosted zone, and removes records, as the caller.
      statement: {
        Sid: 'CloudMapHostedZone',
        Effect: 'Allow',
        Action: [
          'route53:CreateHostedZone',
          'route53:GetHostedZone',
          'route53:DeleteHostedZone',
          'route53:ListHostedZonesByName',
          'route53:ChangeResourceRecordSets',
          'route53:ListResourceRecordSets',
          'route53:GetChange',
          'route53:GetHealthCheck',
          'route53:DeleteHealthCheck',
        ],
        Resource: '*',
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_cloudwatch_log_group'],
      statement: {
        Sid: 'LogGroups',
        Effect: 'Allow',
        Action: [
          'logs:CreateLogGroup',
          'logs:DeleteLogGroup',
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
          'logs:TagResource',
          'logs:UntagResource',
          'logs:ListTagsForResource',
          'logs:TagLogGroup',
          'logs:UntagLogGroup',
          'logs:ListTagsLogGroup',
        ],
        Resource: [
          arn('logs', `log-group:/ecs/${prefix}/*`),
          arn('logs', `log-group:/aws/apigateway/${prefix}-*`),
          arn('logs', `log-group:/aws/vpc/${prefix}/*`),
        ],
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_cloudwatch_log_group', 'aws_apigatewayv2_stage'],
      statement: {
        Sid: 'ListLogGroups',
        Effect: 'Allow',
        Action: ['logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
        Resource: arn('logs', 'log-group:*'),
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_cloudwatch_metric_alarm', ...(autoscaling ? ['aws_appautoscaling_policy'] : [])],
      statement: {
        Sid: 'Alarms',
        Effect: 'Allow',
        Action: [
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DescribeAlarms',
          'cloudwatch:TagResource',
          'cloudwatch:UntagResource',
          'cloudwatch:ListTagsForResource',
        ],
        Resource: [
          arn('cloudwatch', `alarm:${prefix}-*`),
          // Target tracking's own alarms, which Application Auto Scaling creates as the caller.
          ...(autoscaling ? [arn('cloudwatch', `alarm:TargetTracking-service/${prefix}/*`)] : []),
        ],
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_cloudwatch_dashboard'],
      statement: {
        Sid: 'Dashboard',
        Effect: 'Allow',
        Action: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards'],
        Resource: arn('cloudwatch', `dashboard/${prefix}`, false),
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_sns_topic'],
      statement: {
        Sid: 'AlarmTopic',
        Effect: 'Allow',
        Action: [
          'sns:CreateTopic',
          'sns:DeleteTopic',
          'sns:GetTopicAttributes',
          'sns:SetTopicAttributes',
          'sns:TagResource',
          'sns:UntagResource',
          'sns:ListTagsForResource',
        ],
        Resource: arn('sns', `${prefix}-*`),
      },
    },
    alarmSubscriptions && {
      policy: 'observability',
      neededBy: ['aws_sns_topic_subscription'],
      statement: {
        Sid: 'AlarmSubscriptions',
        Effect: 'Allow',
        Action: [
          'sns:Subscribe',
          'sns:Unsubscribe',
          'sns:GetSubscriptionAttributes',
          'sns:SetSubscriptionAttributes',
          'sns:ListSubscriptionsByTopic',
        ],
        // A subscription's ARN is its topic's ARN and an id.
        Resource: arn('sns', `${prefix}-*`),
      },
    },
    {
      policy: 'data',
      neededBy: ['aws_dynamodb_table'],
      statement: {
        Sid: 'Tables',
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:DeleteTable',
          'dynamodb:DescribeTable',
          'dynamodb:UpdateTable',
          'dynamodb:DescribeContinuousBackups',
          'dynamodb:UpdateContinuousBackups',
          'dynamodb:DescribeTimeToLive',
          'dynamodb:UpdateTimeToLive',
          'dynamodb:TagResource',
          'dynamodb:UntagResource',
          'dynamodb:ListTagsOfResource',
        ],
        Resource: arn('dynamodb', `table/${prefix}-*`),
      },
    },
    {
      policy: 'data',
      neededBy: ['tool:terraform-state'],
      statement: {
        Sid: 'StateBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: context.stateBucketArn,
      },
    },
    {
      policy: 'data',
      neededBy: ['tool:terraform-state'],
      // This environment's state and its lock file (`<key>.tflock`), and no other stack's.
      statement: {
        Sid: 'StateObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: `${context.stateBucketArn}/${stateKeyPrefix(prefix)}*`,
      },
    },
  ];
  return permissions.filter((permission): permission is DeployPermission => permission !== false);
}

/** The statements grouped into the managed policies they go in, in a stable order. */
export function deployPolicyDocuments(
  permissions: readonly DeployPermission[],
): { name: DeployPolicyName; document: { Version: string; Statement: PolicyStatement[] } }[] {
  const names: DeployPolicyName[] = ['network', 'compute', 'identity', 'api', 'observability', 'data'];
  return names
    .map((name) => ({
      name,
      document: {
        Version: '2012-10-17',
        Statement: permissions
          .filter((permission) => permission.policy === name)
          .map((each) => each.statement),
      },
    }))
    .filter((policy) => policy.document.Statement.length > 0);
}

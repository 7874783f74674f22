import type { DeployPermission, Scope } from './context';

/** The stack's IAM roles and what they are passed to, and the Cognito user pool. */
export function identityPermissions(scope: Scope): DeployPermission[] {
  const { arn, role, prefix, autoscaling, flowLogs, sesEmail, replicaRegions } = scope;
  const replicas = replicaRegions.length > 0;
  const { taggedForEnvironment, creatingForEnvironment, retaggingOwn } = scope;
  const serviceLinkedRole = (service: string, name: string) => role(`aws-service-role/${service}/${name}`);
  const permissions: (DeployPermission | false)[] = [
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
          // The first global table of an account creates DynamoDB's replication role.
          ...(replicas
            ? [
                serviceLinkedRole(
                  'replication.dynamodb.amazonaws.com',
                  'AWSServiceRoleForDynamoDBReplication',
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
              ...(replicas ? ['replication.dynamodb.amazonaws.com'] : []),
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
        Condition: creatingForEnvironment,
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
          'cognito-idp:ListTagsForResource',
        ],
        Resource: arn('cognito-idp', 'userpool/*'),
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'identity',
      neededBy: ['aws_cognito_user_pool'],
      statement: {
        Sid: 'RetagUserPool',
        Effect: 'Allow',
        Action: ['cognito-idp:TagResource', 'cognito-idp:UntagResource'],
        Resource: arn('cognito-idp', 'userpool/*'),
        Condition: retaggingOwn,
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
  ];
  return permissions.filter((permission): permission is DeployPermission => permission !== false);
}

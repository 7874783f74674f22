import type { DeployPermission, Scope } from './context';

/** Log groups, alarms, the dashboard and the alarm topic. */
export function observabilityPermissions(scope: Scope): DeployPermission[] {
  const { arn, prefix, autoscaling, alarmSubscriptions } = scope;
  const { taggedForEnvironment, creatingForEnvironment, retaggingOwn } = scope;
  const permissions: (DeployPermission | false)[] = [
    {
      policy: 'observability',
      neededBy: ['aws_kms_key'],
      // Key ids are random: a new key must carry the environment's tags.
      statement: {
        Sid: 'NewAlarmTopicKey',
        Effect: 'Allow',
        Action: ['kms:CreateKey', 'kms:TagResource'],
        Resource: '*',
        Condition: creatingForEnvironment,
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_kms_key', 'aws_sns_topic'],
      // Reads, and turning rotation on (only ever safer), on any key: the provider makes them right
      // after CreateKey, before the new key's tags count for authorization (up to 5 minutes in KMS).
      statement: {
        Sid: 'ReadKeys',
        Effect: 'Allow',
        Action: [
          'kms:DescribeKey',
          'kms:GetKeyPolicy',
          'kms:GetKeyRotationStatus',
          'kms:ListResourceTags',
          'kms:EnableKeyRotation',
        ],
        Resource: arn('kms', 'key/*'),
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_kms_key'],
      statement: {
        Sid: 'AlarmTopicKey',
        Effect: 'Allow',
        Action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
        Resource: arn('kms', 'key/*'),
        Condition: taggedForEnvironment,
      },
    },
    {
      policy: 'observability',
      neededBy: ['aws_kms_key'],
      statement: {
        Sid: 'RetagAlarmTopicKey',
        Effect: 'Allow',
        Action: ['kms:TagResource', 'kms:UntagResource'],
        Resource: arn('kms', 'key/*'),
        Condition: retaggingOwn,
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
  ];
  return permissions.filter((permission): permission is DeployPermission => permission !== false);
}

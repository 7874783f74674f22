import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmMetricQuery,
} from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import type { PetFargateService } from './fargate-service';
import type { PetHttpApi } from './http-api';
import { policyDocument } from './iam';
import type { PetTable } from './pet-table';
import { PET_TABLE_DATA_ACTIONS } from './pet-table';
import { invalid, requireIntegerInRange, requireOneOf } from './validation';

/** Where alarm notifications go: an SNS subscription. */
export interface AlarmSubscription {
  /** `email` subscriptions wait until the recipient confirms the message SNS sends. */
  readonly protocol: 'email' | 'email-json' | 'https' | 'sqs' | 'lambda';
  /** The address, URL or ARN. */
  readonly endpoint: string;
}

export interface MonitoringProps {
  /** Prefix for names, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  readonly region: string;
  /** The API whose errors and latency are watched. */
  readonly api: Pick<PetHttpApi, 'resource' | 'stage'>;
  /** The service whose running tasks are watched. */
  readonly service: Pick<PetFargateService, 'clusterName' | 'serviceName'>;
  /** The table whose throttling and errors are watched. */
  readonly table: Pick<PetTable, 'tableName'>;
  /** Who is told when an alarm fires or clears. @default [] - alarms reach the topic only; subscribe to it later */
  readonly alarmSubscriptions?: readonly AlarmSubscription[];
  /** Share of API requests answered 5xx (percent, per 5 minutes) that raises the alarm. @default 5 */
  readonly api5xxPercent?: number;
  /** API p99 latency (ms, per 5 minutes) that raises the alarm. @default 2000 */
  readonly apiP99LatencyMs?: number;
  /** Minutes the service may run fewer tasks than desired (a task replacement takes a few) before the alarm. @default 10 */
  readonly tasksBelowDesiredMinutes?: number;
  /** Throttled table requests per 5 minutes above which the alarm fires. @default 10 */
  readonly tableThrottledRequests?: number;
  /** Table system errors (DynamoDB's own 500s) per 5 minutes above which the alarm fires. @default 5 */
  readonly tableSystemErrors?: number;
}

/** CloudWatch accepts at most 10 metrics in one alarm's metric math. */
const ALARM_METRICS_MAX = 10;
const FIVE_MINUTES = 300;

/**
 * What the original design left to "default monitoring": alarms on what users feel (5xx rate, p99
 * latency), on the service's capacity (tasks below desired) and on the table (throttling, DynamoDB's own
 * errors), all into one SNS topic; and one dashboard of the API, the service and the table.
 */
export class Monitoring extends Construct {
  /** The topic every alarm notifies. */
  public readonly alarmTopic: SnsTopic;
  /** The key the topic's messages are encrypted under. */
  public readonly alarmTopicKey: KmsKey;
  public readonly alarms: CloudwatchMetricAlarm[];
  public readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const alarmSubscriptions = props.alarmSubscriptions ?? [];
    const api5xxPercent = props.api5xxPercent ?? 5;
    const apiP99LatencyMs = props.apiP99LatencyMs ?? 2000;
    const tasksBelowDesiredMinutes = props.tasksBelowDesiredMinutes ?? 10;
    const tableThrottledRequests = props.tableThrottledRequests ?? 10;
    const tableSystemErrors = props.tableSystemErrors ?? 5;
    requireIntegerInRange('api5xxPercent', api5xxPercent, 1, 100);
    // 30 s is the longest an HTTP API waits for its integration.
    requireIntegerInRange('apiP99LatencyMs', apiP99LatencyMs, 10, 30_000);
    requireIntegerInRange('tasksBelowDesiredMinutes', tasksBelowDesiredMinutes, 1, 60);
    requireIntegerInRange('tableThrottledRequests', tableThrottledRequests, 0, 1_000_000);
    requireIntegerInRange('tableSystemErrors', tableSystemErrors, 0, 1_000_000);
    alarmSubscriptions.forEach((subscription, index) => {
      requireOneOf(`alarmSubscriptions[${index}].protocol`, subscription.protocol, [
        'email',
        'email-json',
        'https',
        'sqs',
        'lambda',
      ] as const);
      if (!subscription.endpoint)
        throw invalid(
          `alarmSubscriptions[${index}].endpoint`,
          subscription.endpoint,
          'expected an address, URL or ARN',
        );
    });

    // Encrypted at rest under a key of its own ($1 a month): CloudWatch cannot publish to a topic under
    // the AWS managed SNS key, so this key's policy lets CloudWatch alarms of this account use it.
    const account = new DataAwsCallerIdentity(this, 'Account');
    const partition = new DataAwsPartition(this, 'Partition');
    this.alarmTopicKey = new KmsKey(this, 'AlarmTopicKey', {
      description: `${props.namePrefix}: the alarm topic's messages`,
      enableKeyRotation: true,
      // KMS refuses a policy that would lock out its creator, checking it before the key's tags count
      // for the deploy role's permissions; the policy below keeps the account in charge, so no lockout.
      bypassPolicyLockoutSafetyCheck: true,
      policy: policyDocument([
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition.partition}:iam::${account.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': account.accountId } },
        },
      ]),
    });
    this.alarmTopic = new SnsTopic(this, 'AlarmTopic', {
      name: `${props.namePrefix}-alarms`,
      kmsMasterKeyId: this.alarmTopicKey.arn,
    });
    alarmSubscriptions.forEach((subscription, index) => {
      new SnsTopicSubscription(this, `AlarmSubscription${index + 1}`, {
        topicArn: this.alarmTopic.arn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
      });
    });

    const apiDimensions = { ApiId: props.api.resource.id, Stage: props.api.stage.name };
    const serviceDimensions = {
      ClusterName: props.service.clusterName,
      ServiceName: props.service.serviceName,
    };
    const operations = PET_TABLE_DATA_ACTIONS.map((action) => action.replace(/^dynamodb:/, ''));
    if (operations.length > ALARM_METRICS_MAX) {
      throw new Error(
        `The table alarms sum one metric per DynamoDB operation, and CloudWatch allows ${ALARM_METRICS_MAX} per alarm; PET_TABLE_DATA_ACTIONS has ${operations.length}.`,
      );
    }
    const notify = {
      alarmActions: [this.alarmTopic.arn],
      okActions: [this.alarmTopic.arn],
    };
    const alarm = (name: string, description: string) => ({
      alarmName: `${props.namePrefix}-${name}`,
      alarmDescription: description,
      ...notify,
    });
    const metric = (
      queryId: string,
      namespace: string,
      metricName: string,
      dimensions: Record<string, string>,
      stat: string,
      period: number,
    ): CloudwatchMetricAlarmMetricQuery => ({
      id: queryId,
      returnData: false,
      metric: { namespace, metricName, dimensions, stat, period },
    });
    const tableMetricSum = (metricName: string): CloudwatchMetricAlarmMetricQuery[] => {
      const perOperation = operations.map((operation, index) =>
        metric(
          `m${index + 1}`,
          'AWS/DynamoDB',
          metricName,
          { TableName: props.table.tableName, Operation: operation },
          'Sum',
          FIVE_MINUTES,
        ),
      );
      const ids = perOperation.map((query) => query.id).join(', ');
      return [
        ...perOperation,
        {
          id: 'total',
          expression: `SUM([${ids}])`,
          label: `${metricName}, all operations`,
          returnData: true,
        },
      ];
    };

    this.alarms = [
      new CloudwatchMetricAlarm(this, 'Api5xxRateAlarm', {
        ...alarm('api-5xx-rate', `More than ${api5xxPercent}% of API requests answered 5xx`),
        comparisonOperator: 'GreaterThanThreshold',
        threshold: api5xxPercent,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        // No requests, no errors.
        treatMissingData: 'notBreaching',
        metricQuery: [
          metric('errors', 'AWS/ApiGateway', '5xx', apiDimensions, 'Sum', FIVE_MINUTES),
          metric('requests', 'AWS/ApiGateway', 'Count', apiDimensions, 'Sum', FIVE_MINUTES),
          {
            id: 'rate',
            expression: 'IF(requests > 0, 100 * errors / requests, 0)',
            label: '5xx, % of requests',
            returnData: true,
          },
        ],
      }),
      new CloudwatchMetricAlarm(this, 'ApiLatencyAlarm', {
        ...alarm('api-latency-p99', `API p99 latency above ${apiP99LatencyMs} ms`),
        namespace: 'AWS/ApiGateway',
        metricName: 'Latency',
        dimensions: apiDimensions,
        extendedStatistic: 'p99',
        period: FIVE_MINUTES,
        comparisonOperator: 'GreaterThanThreshold',
        threshold: apiP99LatencyMs,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: 'notBreaching',
      }),
      new CloudwatchMetricAlarm(this, 'TasksBelowDesiredAlarm', {
        ...alarm(
          'tasks-below-desired',
          `The service ran fewer tasks than desired for ${tasksBelowDesiredMinutes} minutes`,
        ),
        comparisonOperator: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: tasksBelowDesiredMinutes,
        // Container Insights reports every minute while the service exists: silence means trouble.
        treatMissingData: 'breaching',
        metricQuery: [
          metric('desired', 'ECS/ContainerInsights', 'DesiredTaskCount', serviceDimensions, 'Average', 60),
          metric('running', 'ECS/ContainerInsights', 'RunningTaskCount', serviceDimensions, 'Average', 60),
          { id: 'missing', expression: 'desired - running', label: 'Tasks missing', returnData: true },
        ],
      }),
      new CloudwatchMetricAlarm(this, 'TableThrottlingAlarm', {
        ...alarm(
          'table-throttled-requests',
          `More than ${tableThrottledRequests} pets-table requests throttled in 5 minutes`,
        ),
        comparisonOperator: 'GreaterThanThreshold',
        threshold: tableThrottledRequests,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricQuery: tableMetricSum('ThrottledRequests'),
      }),
      new CloudwatchMetricAlarm(this, 'TableSystemErrorsAlarm', {
        ...alarm(
          'table-system-errors',
          `More than ${tableSystemErrors} DynamoDB system errors on the pets table in 5 minutes`,
        ),
        comparisonOperator: 'GreaterThanThreshold',
        threshold: tableSystemErrors,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricQuery: tableMetricSum('SystemErrors'),
      }),
    ];

    const region = props.region;
    const graph = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
      type: 'metric',
      width: 8,
      height: 6,
      properties: { title, region, view: 'timeSeries', period: 60, metrics, ...extra },
    });
    const apiMetric = (name: string, options: Record<string, unknown>) => [
      'AWS/ApiGateway',
      name,
      'ApiId',
      apiDimensions.ApiId,
      'Stage',
      apiDimensions.Stage,
      options,
    ];
    const serviceMetric = (namespace: string, name: string, options: Record<string, unknown>) => [
      namespace,
      name,
      'ClusterName',
      serviceDimensions.ClusterName,
      'ServiceName',
      serviceDimensions.ServiceName,
      options,
    ];
    const tableMetric = (name: string, options: Record<string, unknown>) => [
      'AWS/DynamoDB',
      name,
      'TableName',
      props.table.tableName,
      options,
    ];
    this.dashboard = new CloudwatchDashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      dashboardBody: JSON.stringify({
        widgets: [
          {
            type: 'alarm',
            width: 24,
            height: 3,
            properties: { title: 'Alarms', alarms: this.alarms.map((each) => each.arn) },
          },
          graph('API requests and errors', [
            apiMetric('Count', { stat: 'Sum', label: 'Requests' }),
            apiMetric('4xx', { stat: 'Sum', label: '4xx' }),
            apiMetric('5xx', { stat: 'Sum', label: '5xx' }),
          ]),
          graph('API latency (ms)', [
            apiMetric('Latency', { stat: 'p50', label: 'p50' }),
            apiMetric('Latency', { stat: 'p99', label: 'p99' }),
            apiMetric('IntegrationLatency', { stat: 'p99', label: 'Integration p99' }),
          ]),
          graph('Service tasks', [
            serviceMetric('ECS/ContainerInsights', 'DesiredTaskCount', { stat: 'Average', label: 'Desired' }),
            serviceMetric('ECS/ContainerInsights', 'RunningTaskCount', { stat: 'Average', label: 'Running' }),
          ]),
          graph('Service CPU and memory (%)', [
            serviceMetric('AWS/ECS', 'CPUUtilization', { stat: 'Average', label: 'CPU' }),
            serviceMetric('AWS/ECS', 'MemoryUtilization', { stat: 'Average', label: 'Memory' }),
          ]),
          graph('Table capacity consumed', [
            tableMetric('ConsumedReadCapacityUnits', { stat: 'Sum', label: 'Read units' }),
            tableMetric('ConsumedWriteCapacityUnits', { stat: 'Sum', label: 'Write units' }),
          ]),
          graph('Table throttling and errors', [
            ...operations.map((operation) => [
              'AWS/DynamoDB',
              'ThrottledRequests',
              'TableName',
              props.table.tableName,
              'Operation',
              operation,
              { stat: 'Sum', label: `Throttled ${operation}` },
            ]),
            ...operations.map((operation) => [
              'AWS/DynamoDB',
              'SystemErrors',
              'TableName',
              props.table.tableName,
              'Operation',
              operation,
              { stat: 'Sum', label: `System errors ${operation}` },
            ]),
          ]),
        ],
      }),
    });
  }
}

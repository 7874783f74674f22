import { PetFargateService } from '../../constructs/fargate-service';
import { PetHttpApi } from '../../constructs/http-api';
import { Monitoring, type MonitoringProps } from '../../constructs/monitoring';
import { PET_TABLE_DATA_ACTIONS } from '../../constructs/pet-table';
import {
  fargateServiceProps,
  httpApiProps,
  onlyResource,
  REGION,
  ref,
  resourcesOf,
  serviceDependencies,
  synthScope,
  type TerraformBlock,
} from './support';

function synthMonitoring(props: Partial<MonitoringProps> = {}) {
  const refs = { topic: '', apiId: '', stage: '', cluster: '', service: '', table: '' };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope);
    const service = new PetFargateService(scope, 'PetService', fargateServiceProps(deps));
    const api = new PetHttpApi(scope, 'HttpApi', httpApiProps(scope, deps));
    const monitoring = new Monitoring(scope, 'Monitoring', {
      namePrefix: 'test',
      region: REGION,
      api,
      service,
      table: deps.table,
      ...props,
    });
    refs.topic = ref(monitoring.alarmTopic, 'arn');
    refs.apiId = ref(api.resource, 'id');
    refs.stage = ref(api.stage, 'name');
    refs.cluster = ref(service.cluster, 'name');
    refs.service = ref(service.resource, 'name');
    refs.table = ref(deps.table.resource, 'name');
  });
  return { synthesized, refs };
}

function alarmsByName(synthesized: string): Record<string, TerraformBlock> {
  const alarms = resourcesOf(synthesized, 'aws_cloudwatch_metric_alarm');
  expect(alarms).toHaveLength(5);
  return Object.fromEntries(alarms.map((alarm) => [alarm.alarm_name, alarm]));
}

/** The `metric` of each metric query of an alarm, by query id. */
function metricsOf(alarm: TerraformBlock): Record<string, TerraformBlock> {
  return Object.fromEntries(
    (alarm.metric_query as TerraformBlock[])
      .filter((query) => query.metric)
      .map((query) => [query.id, query.metric]),
  );
}

describe('Monitoring', () => {
  const { synthesized, refs } = synthMonitoring();
  const alarms = alarmsByName(synthesized);

  test('every alarm notifies the one SNS topic when it fires and when it clears', () => {
    expect(onlyResource(synthesized, 'aws_sns_topic').name).toBe('test-alarms');
    expect(Object.keys(alarms).sort()).toEqual([
      'test-api-5xx-rate',
      'test-api-latency-p99',
      'test-table-system-errors',
      'test-table-throttled-requests',
      'test-tasks-below-desired',
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.alarm_actions).toEqual([refs.topic]);
      expect(alarm.ok_actions).toEqual([refs.topic]);
    }
  });

  test("the topic is encrypted under a rotating key of its own, which only this account's CloudWatch may use", () => {
    const key = onlyResource(synthesized, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(onlyResource(synthesized, 'aws_sns_topic').kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\.[^.]+\.arn\}$/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: a policy document, read by path
    const statements = JSON.parse(key.policy).Statement as Record<string, any>[];
    const cloudWatch = statements.find(
      (statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(cloudWatch).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': expect.stringMatching(/data\.aws_caller_identity/) },
      },
    });
    expect(statements).toHaveLength(2);
  });

  test('no subscriptions by default; each configured one subscribes to the topic', () => {
    expect(resourcesOf(synthesized, 'aws_sns_topic_subscription')).toHaveLength(0);
    const subscribed = synthMonitoring({
      alarmSubscriptions: [
        { protocol: 'email', endpoint: 'oncall@example.com' },
        { protocol: 'https', endpoint: 'https://hooks.example.com/alarms' },
      ],
    });
    expect(resourcesOf(subscribed.synthesized, 'aws_sns_topic_subscription')).toEqual([
      { topic_arn: subscribed.refs.topic, protocol: 'email', endpoint: 'oncall@example.com' },
      { topic_arn: subscribed.refs.topic, protocol: 'https', endpoint: 'https://hooks.example.com/alarms' },
    ]);
  });

  test("the 5xx alarm divides the $default stage's 5xx by its requests, as a percentage", () => {
    const alarm = alarms['test-api-5xx-rate'] as TerraformBlock;
    expect(alarm.threshold).toBe(5);
    const dimensions = { ApiId: refs.apiId, Stage: refs.stage };
    expect(metricsOf(alarm)).toEqual({
      errors: expect.objectContaining({
        namespace: 'AWS/ApiGateway',
        metric_name: '5xx',
        dimensions,
        stat: 'Sum',
      }),
      requests: expect.objectContaining({
        namespace: 'AWS/ApiGateway',
        metric_name: 'Count',
        dimensions,
        stat: 'Sum',
      }),
    });
    const returned = (alarm.metric_query as TerraformBlock[]).filter((query) => query.return_data);
    expect(returned).toEqual([
      expect.objectContaining({ expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
    ]);
  });

  test('the latency alarm watches p99 of the API', () => {
    expect(alarms['test-api-latency-p99']).toMatchObject({
      namespace: 'AWS/ApiGateway',
      metric_name: 'Latency',
      extended_statistic: 'p99',
      threshold: 2000,
      dimensions: { ApiId: refs.apiId, Stage: refs.stage },
    });
  });

  test("the tasks alarm fires when Container Insights' running count stays below desired", () => {
    const alarm = alarms['test-tasks-below-desired'] as TerraformBlock;
    const dimensions = { ClusterName: refs.cluster, ServiceName: refs.service };
    expect(metricsOf(alarm)).toEqual({
      desired: expect.objectContaining({ metric_name: 'DesiredTaskCount', dimensions }),
      running: expect.objectContaining({ metric_name: 'RunningTaskCount', dimensions }),
    });
    expect(alarm).toMatchObject({
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      evaluation_periods: 10,
      treat_missing_data: 'breaching',
    });
  });

  test.each([
    ['test-table-throttled-requests', 'ThrottledRequests', 10],
    ['test-table-system-errors', 'SystemErrors', 5],
  ])('%s sums %s over every operation the service calls', (name, metricName, threshold) => {
    const alarm = alarms[name] as TerraformBlock;
    expect(alarm.threshold).toBe(threshold);
    const metrics = Object.values(metricsOf(alarm));
    expect(metrics).toHaveLength(PET_TABLE_DATA_ACTIONS.length);
    expect(metrics.map((metric) => metric.dimensions)).toEqual(
      PET_TABLE_DATA_ACTIONS.map((action) => ({
        TableName: refs.table,
        Operation: action.replace('dynamodb:', ''),
      })),
    );
    for (const metric of metrics) expect(metric.metric_name).toBe(metricName);
  });

  test('thresholds are props', () => {
    const strict = alarmsByName(
      synthMonitoring({ api5xxPercent: 1, apiP99LatencyMs: 800, tableThrottledRequests: 0 }).synthesized,
    );
    expect(strict['test-api-5xx-rate']?.threshold).toBe(1);
    expect(strict['test-api-latency-p99']?.threshold).toBe(800);
    expect(strict['test-table-throttled-requests']?.threshold).toBe(0);
  });

  test('one dashboard shows the alarms, the API, the service and the table', () => {
    const dashboard = onlyResource(synthesized, 'aws_cloudwatch_dashboard');
    expect(dashboard.dashboard_name).toBe('test');
    const widgets = JSON.parse(dashboard.dashboard_body).widgets as TerraformBlock[];
    expect(widgets.map((widget) => widget.properties.title)).toEqual([
      'Alarms',
      'API requests and errors',
      'API latency (ms)',
      'Service tasks',
      'Service CPU and memory (%)',
      'Table capacity consumed',
      'Table throttling and errors',
    ]);
    expect(widgets[0]?.properties.alarms).toHaveLength(5);
    const namespaces = new Set(
      widgets.flatMap((widget) => (widget.properties.metrics ?? []).map((metric: string[]) => metric[0])),
    );
    expect([...namespaces].sort()).toEqual([
      'AWS/ApiGateway',
      'AWS/DynamoDB',
      'AWS/ECS',
      'ECS/ContainerInsights',
    ]);
  });

  test.each<[Partial<MonitoringProps>, string]>([
    [{ api5xxPercent: 0 }, '`api5xxPercent` is 0; expected an integer from 1 to 100.'],
    [{ apiP99LatencyMs: 60_000 }, '`apiP99LatencyMs` is 60000; expected an integer from 10 to 30000.'],
    [{ tasksBelowDesiredMinutes: 0 }, '`tasksBelowDesiredMinutes` is 0; expected an integer from 1 to 60.'],
    [
      { alarmSubscriptions: [{ protocol: 'sms' as never, endpoint: '+15555550100' }] },
      "`alarmSubscriptions[0].protocol` is 'sms'; expected one of 'email', 'email-json', 'https', 'sqs', 'lambda'.",
    ],
  ])('rejects %o', (props, message) => {
    expect(() => synthMonitoring(props)).toThrow(message);
  });
});

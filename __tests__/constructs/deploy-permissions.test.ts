import { readFileSync } from 'node:fs';
import { TerraformStack, Testing } from 'cdktf';
import { type EnvironmentConfig, stackName } from '../../constructs/config';
import { deployPolicyDocuments } from '../../constructs/deploy-permissions/index';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { useRemoteState } from '../../constructs/state-backend';
import {
  ACCOUNT,
  allows,
  BUCKET_ARN,
  environmentNamed,
  permissionsOf,
  statementsWith,
} from './deploy-permissions-support';
import { resourcesOf, type TerraformBlock } from './support';

function synthesizedStack(environment: EnvironmentConfig) {
  const stack = new PetStoreStack(Testing.app(), stackName(environment), { environment, imageTag: 'abc123' });
  return JSON.parse(Testing.synth(stack)) as TerraformBlock;
}

describe.each(['dev', 'prod'])('the %s deploy role', (name) => {
  const environment = environmentNamed(name);
  const permissions = permissionsOf(environment);
  const synthesized = synthesizedStack(environment);
  const resourceTypes = Object.keys(synthesized.resource);
  const prefix = `petstore-${name}`;
  const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;

  test('covers every resource type the stack synthesizes, and nothing the stack does not have', () => {
    const needed = new Set(permissions.flatMap((permission) => permission.neededBy));
    expect(resourceTypes.filter((type) => !needed.has(type))).toEqual([]);
    const stale = [...needed].filter((type) => !type.startsWith('tool:') && !resourceTypes.includes(type));
    expect(stale).toEqual([]);
    // dev has no NAT (no gateway, address, internet gateway or route) and offers Fargate Spot; prod adds
    // flow logs, autoscaling's target and policy, and the audit trail with its bucket's six parts.
    expect(resourceTypes).toHaveLength(name === 'prod' ? 44 : 31);
  });

  test("may manage the stack's named resources, found by the names the stack gives them", () => {
    const named = (type: string, attribute: string) =>
      resourcesOf(JSON.stringify(synthesized), type).map((resource) => resource[attribute] as string);
    const checks: [string, string][] = [
      ...named('aws_dynamodb_table', 'name').map((table): [string, string] => [
        'dynamodb:CreateTable',
        arn('dynamodb', `table/${table}`),
      ]),
      ...named('aws_ecs_cluster', 'name').map((cluster): [string, string] => [
        'ecs:CreateCluster',
        arn('ecs', `cluster/${cluster}`),
      ]),
      ...named('aws_ecs_service', 'name').map((service): [string, string] => [
        'ecs:UpdateService',
        arn('ecs', `service/${prefix}/${service}`),
      ]),
      ...named('aws_ecs_task_definition', 'family').map((family): [string, string] => [
        'ecs:TagResource',
        arn('ecs', `task-definition/${family}:7`),
      ]),
      ...named('aws_iam_role', 'name').map((role): [string, string] => [
        'iam:PutRolePolicy',
        `arn:aws:iam::${ACCOUNT}:role/${role}`,
      ]),
      ...named('aws_cloudwatch_log_group', 'name').map((group): [string, string] => [
        'logs:CreateLogGroup',
        arn('logs', `log-group:${group}`),
      ]),
      ...named('aws_cloudwatch_metric_alarm', 'alarm_name').map((alarm): [string, string] => [
        'cloudwatch:PutMetricAlarm',
        arn('cloudwatch', `alarm:${alarm}`),
      ]),
      ...named('aws_cloudwatch_dashboard', 'dashboard_name').map((dashboard): [string, string] => [
        'cloudwatch:PutDashboard',
        `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${dashboard}`,
      ]),
      ...named('aws_sns_topic', 'name').map((topic): [string, string] => [
        'sns:CreateTopic',
        arn('sns', topic),
      ]),
      ...named('aws_cloudtrail', 'name').map((trail): [string, string] => [
        'cloudtrail:PutEventSelectors',
        arn('cloudtrail', `trail/${trail}`),
      ]),
      // The account id in a bucket's name is known at apply time: the test's account stands in.
      ...named('aws_s3_bucket', 'bucket').map((bucket): [string, string] => [
        's3:PutBucketPolicy',
        `arn:aws:s3:::${bucket.replace(/\$\{data\.aws_caller_identity\.\w+\.account_id\}/, ACCOUNT)}`,
      ]),
    ];
    // Two tables (pets, idempotency keys), two roles and log groups (three in prod), five alarms, and
    // prod's audit trail and its bucket...
    expect(checks).toHaveLength(name === 'prod' ? 20 : 16);
    expect(checks.filter(([action, resource]) => !allows(permissions, action, resource))).toEqual([]);
  });

  test("reaches no other environment's resources", () => {
    const other = name === 'dev' ? 'prod' : 'dev';
    expect(allows(permissions, 'dynamodb:DeleteTable', arn('dynamodb', `table/petstore-${other}-pets`))).toBe(
      false,
    );
    expect(
      allows(permissions, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/petstore-${other}-pet-service`),
    ).toBe(false);
    expect(
      allows(permissions, 's3:PutObject', `${BUCKET_ARN}/petstore/petstore-${other}/terraform.tfstate`),
    ).toBe(false);
    expect(
      allows(permissions, 's3:PutBucketPolicy', `arn:aws:s3:::petstore-${other}-audit-${ACCOUNT}-us-east-1`),
    ).toBe(false);
    expect(
      allows(permissions, 'cloudtrail:StopLogging', arn('cloudtrail', `trail/petstore-${other}-data-events`)),
    ).toBe(false);
    // Nor the CI roles themselves.
    expect(
      allows(permissions, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/petstore-github-deploy-${name}`),
    ).toBe(false);
  });

  test('passes exactly the roles the stack hands to services, each to its own service', () => {
    const passRole = statementsWith(permissions, 'iam:PassRole');
    const passed = Object.fromEntries(
      passRole.flatMap((statement) =>
        [statement.Resource]
          .flat()
          .map((resource) => [
            resource.replace(`arn:aws:iam::${ACCOUNT}:role/`, ''),
            statement.Condition?.StringEquals?.['iam:PassedToService'],
          ]),
      ),
    );
    const roleName = (reference: string) => {
      const logicalId = /^\$\{aws_iam_role\.(\w+)\.arn\}$/.exec(reference)?.[1] as string;
      return synthesized.resource.aws_iam_role[logicalId].name as string;
    };
    const [definition] = Object.values(synthesized.resource.aws_ecs_task_definition) as TerraformBlock[];
    const expected: Record<string, string> = {
      [roleName(definition?.execution_role_arn)]: 'ecs-tasks.amazonaws.com',
      [roleName(definition?.task_role_arn)]: 'ecs-tasks.amazonaws.com',
    };
    for (const flowLog of Object.values(synthesized.resource.aws_flow_log ?? {}) as TerraformBlock[])
      expected[roleName(flowLog.iam_role_arn)] = 'vpc-flow-logs.amazonaws.com';
    expect(Object.keys(expected)).toHaveLength(name === 'prod' ? 3 : 2);
    expect(passed).toEqual(expected);
  });

  test('may create the service-linked roles a fresh account lacks, and only those', () => {
    const [statement, ...others] = statementsWith(permissions, 'iam:CreateServiceLinkedRole');
    expect(others).toEqual([]);
    const services = ['ecs.amazonaws.com', 'ops.apigateway.amazonaws.com'];
    if (name === 'prod') services.push('ecs.application-autoscaling.amazonaws.com');
    expect(statement?.Condition?.StringEquals?.['iam:AWSServiceName']).toEqual(services);
    expect([statement?.Resource].flat()).toHaveLength(services.length);
  });

  test("may set up the HTTP API's access-log delivery", () => {
    for (const action of [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
    ]) {
      expect(statementsWith(permissions, action)).toHaveLength(1);
    }
  });

  test('may make exactly the Cognito admin calls the smoke test makes, on pools tagged with its environment', () => {
    const source = readFileSync(new URL('../../scripts/lib/cognito-test-user.ts', import.meta.url), 'utf8');
    const calls = new Set(
      [...source.matchAll(/new (Admin\w+)Command\(/g)].map(([, call]) => `cognito-idp:${call}`),
    );
    expect(calls.size).toBe(4);
    const smoke = permissions.find((permission) => permission.neededBy.includes('tool:smoke'))?.statement;
    expect(new Set(smoke?.Action)).toEqual(calls);
    expect(smoke?.Condition).toEqual({
      StringEquals: {
        'aws:RequestedRegion': 'us-east-1',
        'aws:ResourceTag/Project': 'petstore',
        'aws:ResourceTag/Environment': name,
      },
    });
  });

  test('reads and writes its own state object and lock file only', () => {
    // The key the stack's backend really uses.
    const stack = new TerraformStack(Testing.app(), stackName(environment));
    useRemoteState(stack, stackName(environment), 'us-east-1', { bucket: 'acme-state' });
    const stateKey = JSON.parse(Testing.synth(stack)).terraform.backend.s3.key as string;
    expect(stateKey).toBe(`petstore/${prefix}/terraform.tfstate`);
    for (const object of [stateKey, `${stateKey}.tflock`]) {
      expect(allows(permissions, 's3:PutObject', `${BUCKET_ARN}/${object}`)).toBe(true);
    }
    expect(
      allows(permissions, 's3:DeleteObject', `${BUCKET_ARN}/petstore/petstore-bootstrap/terraform.tfstate`),
    ).toBe(false);
  });

  test('fits in managed policies IAM accepts: at most 6,144 characters each, 10 per role', () => {
    const documents = deployPolicyDocuments(permissions);
    expect(documents.map((document) => document.name)).toEqual([
      'network',
      'network-changes',
      'compute',
      'identity',
      'api',
      'observability',
      'data',
    ]);
    for (const { document } of documents) expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
    expect(documents.flatMap((document) => document.document.Statement)).toHaveLength(permissions.length);
  });
});

describe('a deploy role of an environment with alarm subscriptions and an SES sender', () => {
  const dev = environmentNamed('dev');
  const permissions = permissionsOf({
    ...dev,
    auth: {
      emailSender: {
        sesIdentityArn: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com`,
        fromAddress: 'a@example.com',
      },
    },
    monitoring: { alarmSubscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] },
  });

  test('may subscribe to the alarm topic, which the plain dev role may not', () => {
    expect(statementsWith(permissions, 'sns:Subscribe')).toHaveLength(1);
    expect(statementsWith(permissionsOf(dev), 'sns:Subscribe')).toHaveLength(0);
  });

  test("may create Cognito's email service-linked role", () => {
    const [statement] = statementsWith(permissions, 'iam:CreateServiceLinkedRole');
    expect(statement?.Condition?.StringEquals?.['iam:AWSServiceName']).toContain(
      'email.cognito-idp.amazonaws.com',
    );
  });
});

describe('a deploy role of an environment with table replicas', () => {
  const dev = environmentNamed('dev');
  const environment: EnvironmentConfig = { ...dev, table: { replicaRegions: ['us-west-2', 'eu-west-1'] } };
  const permissions = permissionsOf(environment);
  const table = (region: string, name: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}`;

  test('covers every resource type the stack synthesizes', () => {
    const needed = new Set(permissions.flatMap((permission) => permission.neededBy));
    const types = Object.keys(synthesizedStack(environment).resource);
    expect(types.filter((type) => !needed.has(type))).toEqual([]);
  });

  test("may create and remove both tables' replicas in each replica region, and in no other", () => {
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1'])
      for (const name of ['petstore-dev-pets', 'petstore-dev-pets-idempotency'])
        expect(allows(permissions, 'dynamodb:CreateTableReplica', table(region, name))).toBe(true);
    for (const region of ['us-west-2', 'eu-west-1']) {
      expect(
        allows(permissions, 'dynamodb:UpdateContinuousBackups', table(region, 'petstore-dev-pets')),
      ).toBe(true);
      expect(allows(permissions, 'dynamodb:CreateTable', table(region, 'petstore-prod-pets'))).toBe(false);
    }
    expect(allows(permissions, 'dynamodb:CreateTable', table('ap-south-1', 'petstore-dev-pets'))).toBe(false);
    expect(statementsWith(permissionsOf(dev), 'dynamodb:CreateTableReplica')).toEqual([]);
  });

  test("may create DynamoDB's replication service-linked role", () => {
    const [statement] = statementsWith(permissions, 'iam:CreateServiceLinkedRole');
    expect(statement?.Condition?.StringEquals?.['iam:AWSServiceName']).toContain(
      'replication.dynamodb.amazonaws.com',
    );
  });

  test('still fits in the managed policies IAM accepts', () => {
    for (const { document } of deployPolicyDocuments(permissions))
      expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
  });
});

import { readFileSync } from 'node:fs';
import { TerraformStack, Testing } from 'cdktf';
import { type EnvironmentConfig, stackName } from '../../constructs/config';
import {
  type DeployPermission,
  deployPermissions,
  deployPolicyDocuments,
  type PolicyStatement,
} from '../../constructs/deploy-permissions/index';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { useRemoteState } from '../../constructs/state-backend';
import { ENVIRONMENTS } from '../../environments';
import { resourcesOf, type TerraformBlock } from './support';

const ACCOUNT = '123456789012';
const BUCKET_ARN = 'arn:aws:s3:::acme-state';

const environmentNamed = (name: string) =>
  ENVIRONMENTS.find((environment) => environment.name === name) as EnvironmentConfig;

function permissionsOf(environment: EnvironmentConfig): DeployPermission[] {
  return deployPermissions({ environment, partition: 'aws', accountId: ACCOUNT, stateBucketArn: BUCKET_ARN });
}

function synthesizedStack(environment: EnvironmentConfig) {
  const stack = new PetStoreStack(Testing.app(), stackName(environment), { environment, imageTag: 'abc123' });
  return JSON.parse(Testing.synth(stack)) as TerraformBlock;
}

function statementsWith(permissions: DeployPermission[], action: string): PolicyStatement[] {
  return permissions
    .map((permission) => permission.statement)
    .filter((statement) => statement.Action.includes(action));
}

/** Whether an IAM resource pattern (`*` and `?` wildcards) matches an ARN. */
function matches(pattern: string, arn: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(arn);
}

/** What IAM knows of a request beyond its action and resource, as far as these policies ask. */
interface RequestContext {
  readonly resourceTags?: Record<string, string>;
  readonly requestTags?: Record<string, string>;
  readonly values?: Record<string, string | string[]>;
}

/** The request's value(s) for a condition key, or undefined when it has none. */
function valuesOf(key: string, request: RequestContext): string[] | undefined {
  const tag = /^aws:(Resource|Request)Tag\/(.+)$/.exec(key);
  if (tag) {
    const tags = tag[1] === 'Resource' ? request.resourceTags : request.requestTags;
    const value = tags?.[tag[2] as string];
    return value === undefined ? undefined : [value];
  }
  if (key === 'aws:RequestedRegion') return ['us-east-1'];
  if (key === 'aws:TagKeys') return Object.keys(request.requestTags ?? {});
  const value = request.values?.[key];
  return value === undefined ? undefined : [value].flat();
}

/** IAM's evaluation of the condition operators these policies use (a test's own, small copy). */
function conditionHolds(condition: PolicyStatement['Condition'], request: RequestContext): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const wanted = [expected].flat();
      const actual = valuesOf(key, request);
      switch (operator) {
        case 'StringEquals':
          return actual !== undefined && actual.length > 0 && actual.every((value) => wanted.includes(value));
        case 'StringEqualsIfExists':
          return actual === undefined || actual.every((value) => wanted.includes(value));
        case 'Null':
          return (actual === undefined) === (wanted[0] === 'true');
        case 'ForAllValues:StringNotEquals':
          return (actual ?? []).every((value) => !wanted.includes(value));
        case 'ForAllValues:StringLike':
          return (actual ?? []).every((value) => wanted.some((pattern) => matches(pattern, value)));
        default:
          throw new Error(`the test does not evaluate ${operator}`);
      }
    }),
  );
}

/** Whether some statement allows `action` on `arn` for this request, conditions included. */
function allowsRequest(
  permissions: DeployPermission[],
  action: string,
  arn: string,
  request: RequestContext,
): boolean {
  return statementsWith(permissions, action).some(
    (statement) =>
      [statement.Resource].flat().some((pattern) => matches(pattern, arn)) &&
      conditionHolds(statement.Condition, request),
  );
}

function allows(permissions: DeployPermission[], action: string, arn: string): boolean {
  return statementsWith(permissions, action).some((statement) =>
    [statement.Resource].flat().some((pattern) => matches(pattern, arn)),
  );
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
    // prod adds flow logs and autoscaling's target and policy.
    expect(resourceTypes).toHaveLength(name === 'prod' ? 39 : 36);
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
      ...named('aws_ecr_repository', 'name').map((repository): [string, string] => [
        'ecr:PutImage',
        arn('ecr', `repository/${repository}`),
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
    ];
    // Two tables (pets, idempotency keys), two roles and log groups (three in prod), five alarms...
    expect(checks).toHaveLength(name === 'prod' ? 19 : 17);
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
    // Nor the CI roles themselves.
    expect(
      allows(permissions, 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/petstore-github-deploy-${name}`),
    ).toBe(false);
  });

  test("cannot change another environment's network, API, Cloud Map or autoscaling, though they share an account", () => {
    const other = name === 'dev' ? 'prod' : 'dev';
    const tagged = (environment: string) => ({ Project: 'petstore', Environment: environment });
    const ec2 = (resource: string) => arn('ec2', resource);
    const cases: [string, string, RequestContext][] = [
      ['ec2:DeleteVpc', ec2('vpc/vpc-1'), {}],
      ['ec2:AuthorizeSecurityGroupIngress', ec2('security-group/sg-1'), {}],
      ['ec2:RevokeSecurityGroupIngress', ec2('security-group/sg-1'), {}],
      ['ec2:ReplaceRoute', ec2('route-table/rtb-1'), {}],
      ['ec2:DeleteNatGateway', ec2('natgateway/nat-1'), {}],
      ['ec2:CreateSubnet', ec2('vpc/vpc-1'), {}],
      ['apigateway:PATCH', 'arn:aws:apigateway:us-east-1::/apis/a1b2c3', {}],
      ['apigateway:DELETE', 'arn:aws:apigateway:us-east-1::/vpclinks/v1', {}],
      ['kms:ScheduleKeyDeletion', arn('kms', 'key/k1'), {}],
      ['kms:PutKeyPolicy', arn('kms', 'key/k1'), {}],
      ['servicediscovery:DeregisterInstance', arn('servicediscovery', 'service/srv-1'), {}],
      ...(environment.service?.autoscaling
        ? [
            [
              'application-autoscaling:PutScalingPolicy',
              arn('application-autoscaling', 'scalable-target/1'),
              {},
            ] as [string, string, RequestContext],
          ]
        : []),
      ['cognito-idp:DeleteUserPool', arn('cognito-idp', 'userpool/us-east-1_a'), {}],
    ];
    for (const [action, resource, request] of cases) {
      // Its own environment's resource: allowed (every case is something the stack does).
      expect([
        action,
        allowsRequest(permissions, action, resource, {
          ...request,
          resourceTags: tagged(name),
          requestTags: tagged(name),
        }),
      ]).toEqual([action, true]);
      // The other environment's: refused, even when the request claims this environment's tags.
      expect([
        action,
        allowsRequest(permissions, action, resource, {
          ...request,
          resourceTags: tagged(other),
          requestTags: tagged(name),
        }),
      ]).toEqual([action, false]);
    }
    // A create tags what it makes with this environment, and cannot make another's.
    const newSubnet = ec2('subnet/subnet-1');
    expect(allowsRequest(permissions, 'ec2:CreateSubnet', newSubnet, { requestTags: tagged(name) })).toBe(
      true,
    );
    expect(allowsRequest(permissions, 'ec2:CreateSubnet', newSubnet, { requestTags: tagged(other) })).toBe(
      false,
    );
    expect(allowsRequest(permissions, 'ec2:CreateSubnet', newSubnet, {})).toBe(false);
    // Nor move a resource of its own into another environment by its tags.
    expect(
      allowsRequest(permissions, 'ec2:CreateTags', ec2('vpc/vpc-1'), {
        resourceTags: tagged(name),
        requestTags: { Environment: other },
      }),
    ).toBe(false);
    expect(
      allowsRequest(permissions, 'ec2:CreateTags', ec2('vpc/vpc-1'), {
        resourceTags: tagged(name),
        requestTags: { Name: 'x' },
      }),
    ).toBe(true);
    // Nor take another environment's resource over by tagging it as its own.
    const takeovers: [string, string][] = [
      ['kms:TagResource', arn('kms', 'key/k1')],
      ['cognito-idp:TagResource', arn('cognito-idp', 'userpool/us-east-1_a')],
      ['servicediscovery:TagResource', arn('servicediscovery', 'service/srv-1')],
      ['ec2:CreateTags', ec2('security-group/sg-1')],
      ['apigateway:POST', 'arn:aws:apigateway:us-east-1::/tags/arn%3Aaws%3Aapigateway'],
      ...(environment.service?.autoscaling
        ? ([
            ['application-autoscaling:TagResource', arn('application-autoscaling', 'scalable-target/1')],
            [
              'application-autoscaling:RegisterScalableTarget',
              arn('application-autoscaling', 'scalable-target/1'),
            ],
          ] as [string, string][])
        : []),
    ];
    for (const [action, resource] of takeovers) {
      const request = { resourceTags: tagged(other), requestTags: tagged(name) };
      expect([action, allowsRequest(permissions, action, resource, request)]).toEqual([action, false]);
    }
    // The known limit: an HTTP API's routes and integrations carry no tags (API Gateway inherits tags
    // for REST APIs only), so they are held to the region alone.
    expect(
      allowsRequest(
        permissions,
        'apigateway:PATCH',
        'arn:aws:apigateway:us-east-1::/apis/a1b2c3/routes/r1',
        {},
      ),
    ).toBe(true);
    // Cloud Map's records: its own zone's names only.
    const zone = 'arn:aws:route53:::hostedzone/Z1';
    const records = (names: string[]) => ({
      values: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
    });
    expect(
      allowsRequest(
        permissions,
        'route53:ChangeResourceRecordSets',
        zone,
        records([`pets.${name}.petstore.local`]),
      ),
    ).toBe(true);
    expect(
      allowsRequest(
        permissions,
        'route53:ChangeResourceRecordSets',
        zone,
        records([`pets.${other}.petstore.local`]),
      ),
    ).toBe(false);
  });

  test("keeps '*' only for calls AWS gives no resource scope, or holds them to the environment's tags", () => {
    // Reads, and calls with no resource-level permissions: named here so that a new one is a decision.
    const unscoped = new Set([
      'ec2:Describe*',
      'ecs:DescribeTaskDefinition',
      'ecr:GetAuthorizationToken',
      'application-autoscaling:Describe*',
      'logs:*LogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'servicediscovery:GetOperation',
      'route53:CreateHostedZone',
      'route53:DeleteHostedZone',
      'route53:Get*',
      'route53:List*',
      'route53:DeleteHealthCheck',
      'apigateway:GET',
      'logs:DescribeLogGroups',
      'logs:DescribeLogStreams',
      // Service-linked roles are the account's, one per service, whichever environment comes first.
      'iam:CreateServiceLinkedRole',
      'application-autoscaling:ListTagsForResource',
      // Reads of keys, and turning a key's rotation on, which only ever makes it safer.
      'kms:DescribeKey',
      'kms:GetKey*',
      'kms:ListResourceTags',
      'kms:EnableKeyRotation',
    ]);
    // Parts of the stack AWS gives no environment scope at all, each a documented limit.
    const knownLimits = new Set(['HttpApiParts']);
    for (const { statement } of permissions) {
      // A resource pattern that names this environment (`petstore-dev-*`, its state) is held by its name.
      const ownName = (resource: string) =>
        resource.includes(`petstore-${name}`) || resource.startsWith(BUCKET_ARN);
      const wildcard = [statement.Resource].flat().some((resource) => !ownName(resource));
      if (!wildcard) continue;
      // Held by the environment's tag on the resource; by its tag on the request only for a resource no
      // environment has claimed (a create); or by names in its own Cloud Map zone.
      const zone = `${name}.petstore.local`;
      const condition = statement.Condition ?? {};
      const equals = condition.StringEquals ?? {};
      const onResource = equals['aws:ResourceTag/Environment'] === name;
      const creating =
        equals['aws:RequestTag/Environment'] === name &&
        condition.Null?.['aws:ResourceTag/Environment'] === 'true';
      const inZone = Object.values(condition['ForAllValues:StringLike'] ?? {}).some((value) =>
        [value].flat().every((each) => each === zone || each.endsWith(`.${zone}`)),
      );
      const held = onResource || creating || inZone || knownLimits.has(statement.Sid);
      const unscopedOnly = statement.Action.every((action) =>
        [...unscoped].some((pattern) => matches(pattern, action)),
      );
      expect([statement.Sid, held || unscopedOnly]).toEqual([statement.Sid, true]);
    }
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

import { Testing } from 'cdktf';
import { type EnvironmentConfig, stackName } from '../../constructs/config';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { ENVIRONMENTS, readDeploySettings } from '../../environments';
import { onlyResource, ref, refsWhere, resourcesOf } from './support';

const dev = ENVIRONMENTS.find((environment) => environment.name === 'dev') as EnvironmentConfig;

function synthStack(environment: EnvironmentConfig = dev, imageTag = 'abc123') {
  const app = Testing.app();
  const stack = new PetStoreStack(app, stackName(environment), { environment, imageTag });
  return { stack, synthesized: Testing.synth(stack) };
}

describe('PetStoreStack', () => {
  const { stack, synthesized } = synthStack();

  test('the integration reaches the Cloud Map service of the ECS service through the VPC link', () => {
    const integration = onlyResource(synthesized, 'aws_apigatewayv2_integration');
    const cloudMapService = ref(stack.serviceDiscovery.resource, 'arn');
    expect(integration.integration_uri).toBe(cloudMapService);
    expect(integration.connection_id).toBe(ref(stack.api.vpcLink, 'id'));
    expect(onlyResource(synthesized, 'aws_ecs_service').service_registries.registry_arn).toBe(
      cloudMapService,
    );
  });

  test("writes need an access token from this stack's user pool and its clients; reads do not", () => {
    const authorizer = onlyResource(synthesized, 'aws_apigatewayv2_authorizer');
    expect(authorizer.jwt_configuration).toEqual({
      issuer: `https://cognito-idp.us-east-1.amazonaws.com/${ref(stack.auth.resource, 'id')}`,
      audience: [ref(stack.auth.client, 'id'), ref(stack.auth.smokeTestClient, 'id')],
    });
    const authorization = Object.fromEntries(
      resourcesOf(synthesized, 'aws_apigatewayv2_route').map((route) => [
        route.route_key,
        [route.authorization_type, route.authorization_scopes],
      ]),
    );
    const accessToken = ['JWT', ['aws.cognito.signin.user.admin']];
    expect(authorization).toEqual({
      'GET /petstore/openapi.json': ['NONE', undefined],
      'GET /petstore/pets': ['NONE', undefined],
      'HEAD /petstore/pets': ['NONE', undefined],
      'GET /petstore/pets/{petId}': ['NONE', undefined],
      'POST /petstore/pets/{petId}': accessToken,
      'PUT /petstore/pets/{petId}': accessToken,
      'DELETE /petstore/pets/{petId}': accessToken,
    });
  });

  test('the smoke test signs in with its own client, which the authorizer accepts', () => {
    const outputs = JSON.parse(synthesized).output;
    const smokeClient = ref(stack.auth.smokeTestClient, 'id');
    expect(outputs.smoke_test_client_id.value).toBe(smokeClient);
    expect(outputs.user_pool_client_id.value).not.toBe(smokeClient);
    expect(onlyResource(synthesized, 'aws_apigatewayv2_authorizer').jwt_configuration.audience).toContain(
      smokeClient,
    );
  });

  test('tasks and the VPC link are only in private subnets, tasks without a public IP', () => {
    const privateSubnets = refsWhere(
      synthesized,
      'aws_subnet',
      'id',
      (subnet) => subnet.tags.Tier === 'private',
    );
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(service.network_configuration).toEqual({
      subnets: privateSubnets,
      security_groups: [ref(stack.securityGroups.tasks, 'id')],
      assign_public_ip: false,
    });
    expect(onlyResource(synthesized, 'aws_apigatewayv2_vpc_link').subnet_ids).toEqual(privateSubnets);
  });

  test("the only way into the tasks is from the VPC link's security group", () => {
    const ingress = resourcesOf(synthesized, 'aws_vpc_security_group_ingress_rule').filter(
      (rule) => rule.security_group_id === ref(stack.securityGroups.tasks, 'id'),
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        security_group_id: ref(stack.securityGroups.tasks, 'id'),
        referenced_security_group_id: ref(stack.securityGroups.vpcLink, 'id'),
        from_port: 8080,
        to_port: 8080,
      }),
    ]);
    expect(onlyResource(synthesized, 'aws_apigatewayv2_vpc_link').security_group_ids).toEqual([
      ref(stack.securityGroups.vpcLink, 'id'),
    ]);
  });

  test("the task role is scoped to this stack's tables", () => {
    const policies = resourcesOf(synthesized, 'aws_iam_role_policy').filter(
      (policy) => policy.role === ref(stack.service.taskRole, 'id'),
    );
    expect(policies).toHaveLength(1);
    const [statement] = JSON.parse(policies[0]?.policy).Statement;
    expect(statement.Resource).toEqual([
      ref(stack.table.resource, 'arn'),
      ref(stack.table.idempotencyTable, 'arn'),
    ]);
    const container = JSON.parse(
      onlyResource(synthesized, 'aws_ecs_task_definition').container_definitions,
    )[0];
    expect(container.environment).toContainEqual({
      name: 'TABLE_NAME',
      value: ref(stack.table.resource, 'name'),
    });
  });

  test("dev's tasks have no route out of the VPC: they reach ECR and CloudWatch Logs through endpoints", () => {
    expect(resourcesOf(synthesized, 'aws_route')).toEqual([]);
    expect(resourcesOf(synthesized, 'aws_internet_gateway')).toEqual([]);
    const endpoints = stack.network.interfaceEndpoints;
    expect(endpoints?.endpoints.map((endpoint) => ref(endpoint, 'id').slice(2, -4))).toEqual(
      expect.arrayContaining([expect.stringContaining('EcrDkr')]),
    );
    const service = onlyResource(synthesized, 'aws_ecs_service');
    for (const endpoint of endpoints?.endpoints ?? [])
      expect(service.depends_on).toContain(ref(endpoint, 'id').slice(2, -4));
  });

  test("the execution role pulls only from the environment's own ECR repository", () => {
    const policies = resourcesOf(synthesized, 'aws_iam_role_policy').filter(
      (policy) => policy.role === ref(stack.service.executionRole, 'id'),
    );
    // The repository's pull grant and the log group's write grant.
    expect(policies.map((policy) => policy.name).sort()).toEqual(['pull-image', 'write-logs']);
    const pull = policies
      .flatMap((policy) => JSON.parse(policy.policy).Statement)
      .filter((statement: { Action: string[] }) => [statement.Action].flat().includes('ecr:BatchGetImage'));
    expect(pull).toEqual([expect.objectContaining({ Resource: ref(stack.image.repository, 'arn') })]);
  });

  test("the service runs the configured tag from the environment's repository, read from the registry so an unpushed tag fails the plan", () => {
    const app = Testing.app();
    const other = new PetStoreStack(app, 'petstore-dev', {
      environment: dev,
      imageTag: 'abc123',
      // @ts-expect-error `image` is no prop: the service runs what was pushed to the environment's repository
      image: 'x:1',
    });
    const container = JSON.parse(
      onlyResource(Testing.synth(other), 'aws_ecs_task_definition').container_definitions,
    )[0];
    expect(container.image).toBe(`${ref(other.image.repository, 'repository_url')}:abc123`);
    const config = JSON.parse(Testing.synth(other));
    expect(Object.values(config.data.aws_ecr_repository)).toEqual([{ name: 'petstore-dev/pet-service' }]);
    // Read unless a pull request's plan turns it off (TF_VAR_require_pushed_image=false).
    expect(Object.values(config.data.aws_ecr_image)).toEqual([
      {
        count: `\${var.require_pushed_image ? 1 : 0}`,
        repository_name: ref(other.image.repository, 'name'),
        image_tag: 'abc123',
      },
    ]);
    expect(config.variable.require_pushed_image).toMatchObject({ type: 'bool', default: true });
    // The repository is the bootstrap stack's: an environment neither creates nor destroys it.
    expect(resourcesOf(Testing.synth(other), 'aws_ecr_repository')).toEqual([]);
  });

  test('every resource name carries the environment, so environments can share an account', () => {
    expect(resourcesOf(synthesized, 'aws_dynamodb_table').map((table) => table.name)).toEqual([
      'petstore-dev-pets',
      'petstore-dev-pets-idempotency',
    ]);
    expect(onlyResource(synthesized, 'aws_ecs_cluster').name).toBe('petstore-dev');
    expect(onlyResource(synthesized, 'aws_cognito_user_pool').name).toBe('petstore-dev-users');
  });

  test('exports what users and the smoke test need', () => {
    const outputs = JSON.parse(synthesized).output;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'api_endpoint',
        'api_log_group_name',
        'cluster_name',
        'image',
        'pets_url',
        'region',
        'service_log_group_name',
        'service_name',
        'table_name',
        'user_pool_client_id',
        'user_pool_id',
        'smoke_test_client_id',
        'alarm_topic_arn',
        'dashboard_name',
      ].sort(),
    );
    expect(outputs.pets_url.value).toBe(`${ref(stack.api.resource, 'api_endpoint')}/petstore/pets`);
    expect(outputs.user_pool_client_id.value).toBe(ref(stack.auth.client, 'id'));
  });

  test("the provider targets the environment's region and tags everything", () => {
    const provider = JSON.parse(synthesized).provider.aws[0];
    expect(provider.region).toBe('us-east-1');
    expect(provider.default_tags[0].tags).toEqual({
      Project: 'petstore',
      Environment: 'dev',
      ManagedBy: 'cdktf',
    });
  });
});

describe('production environment', () => {
  const prod = ENVIRONMENTS.find((environment) => environment.name === 'prod') as EnvironmentConfig;
  const { synthesized } = synthStack(prod);

  test('has public and private subnets in two pinned AZs and a NAT gateway in each', () => {
    const subnets = resourcesOf(synthesized, 'aws_subnet');
    expect(subnets.filter((subnet) => subnet.tags.Tier === 'private')).toHaveLength(2);
    expect(subnets.filter((subnet) => subnet.tags.Tier === 'public')).toHaveLength(2);
    expect([...new Set(subnets.map((subnet) => subnet.availability_zone_id))].sort()).toEqual([
      'use1-az1',
      'use1-az2',
    ]);
    expect(resourcesOf(synthesized, 'aws_nat_gateway')).toHaveLength(2);
  });

  test("private subnets reach the internet only through their own AZ's NAT gateway", () => {
    const nats = refsWhere(synthesized, 'aws_nat_gateway', 'id', () => true);
    const privateTables = refsWhere(synthesized, 'aws_route_table', 'id', (table) =>
      table.tags.Name.includes('private'),
    );
    const privateRoutes = resourcesOf(synthesized, 'aws_route').filter((route) =>
      privateTables.includes(route.route_table_id),
    );
    expect(privateRoutes).toEqual(
      privateTables.map((table, az) => ({
        route_table_id: table,
        destination_cidr_block: '0.0.0.0/0',
        nat_gateway_id: nats[az],
      })),
    );
  });

  test('records VPC flow logs for a year; dev records none', () => {
    expect(onlyResource(synthesized, 'aws_flow_log').traffic_type).toBe('ALL');
    const groups = resourcesOf(synthesized, 'aws_cloudwatch_log_group').filter((group) =>
      group.name.startsWith('/aws/vpc/'),
    );
    expect(groups).toEqual([expect.objectContaining({ retention_in_days: 365 })]);
    expect(resourcesOf(synthStack().synthesized, 'aws_flow_log')).toHaveLength(0);
  });

  test('offers users an authenticator app as a second factor; dev does not', () => {
    expect(onlyResource(synthesized, 'aws_cognito_user_pool')).toMatchObject({
      mfa_configuration: 'OPTIONAL',
      software_token_mfa_configuration: { enabled: true },
    });
    expect(onlyResource(synthStack().synthesized, 'aws_cognito_user_pool').mfa_configuration).toBe('OFF');
  });

  test('alarms sooner than dev', () => {
    const thresholds = (json: string) =>
      Object.fromEntries(
        resourcesOf(json, 'aws_cloudwatch_metric_alarm').map((alarm) => [
          alarm.alarm_name.replace(/^petstore-\w+-/, ''),
          alarm.threshold,
        ]),
      );
    expect(thresholds(synthStack().synthesized)).toEqual({
      'api-5xx-rate': 5,
      'api-latency-p99': 2000,
      'tasks-below-desired': 0,
      'table-throttled-requests': 10,
      'table-system-errors': 5,
    });
    expect(thresholds(synthesized)).toEqual({
      'api-5xx-rate': 1,
      'api-latency-p99': 1000,
      'tasks-below-desired': 0,
      'table-throttled-requests': 0,
      'table-system-errors': 0,
    });
  });

  test('runs at least two tasks with CPU target tracking', () => {
    expect(onlyResource(synthesized, 'aws_ecs_service').desired_count).toBeGreaterThanOrEqual(2);
    expect(onlyResource(synthesized, 'aws_appautoscaling_target').min_capacity).toBeGreaterThanOrEqual(2);
    expect(onlyResource(synthesized, 'aws_appautoscaling_policy').policy_type).toBe('TargetTrackingScaling');
  });

  test('protects its data and keeps logs longer than dev', () => {
    for (const table of resourcesOf(synthesized, 'aws_dynamodb_table')) {
      expect(table.deletion_protection_enabled).toBe(true);
    }
    expect(onlyResource(synthesized, 'aws_cognito_user_pool').deletion_protection).toBe('ACTIVE');
    const devRetention = resourcesOf(synthStack().synthesized, 'aws_cloudwatch_log_group').map(
      (group) => group.retention_in_days,
    );
    for (const group of resourcesOf(synthesized, 'aws_cloudwatch_log_group')) {
      expect(group.retention_in_days).toBeGreaterThan(Math.max(...devRetention));
    }
  });

  test('shares no account- or region-unique name with dev', () => {
    // Resources whose names must be unique per account (IAM) or per account and region (the rest).
    const uniquelyNamed: Record<string, string> = {
      aws_dynamodb_table: 'name',
      aws_ecs_cluster: 'name',
      aws_ecs_task_definition: 'family',
      aws_ecr_repository: 'name',
      aws_iam_role: 'name',
      aws_cloudwatch_log_group: 'name',
      aws_cognito_user_pool: 'name',
      aws_apigatewayv2_api: 'name',
      aws_apigatewayv2_vpc_link: 'name',
      aws_service_discovery_private_dns_namespace: 'name',
      aws_sns_topic: 'name',
      aws_cloudwatch_metric_alarm: 'alarm_name',
      aws_cloudwatch_dashboard: 'dashboard_name',
      aws_security_group: 'name_prefix',
    };
    const namesOf = (json: string) =>
      Object.entries(uniquelyNamed).flatMap(([type, attribute]) =>
        resourcesOf(json, type).map((resource) => resource[attribute] as string),
      );
    const devNames = namesOf(synthStack().synthesized);
    const prodNames = namesOf(synthesized);
    expect(devNames).toHaveLength(22);
    // Flow logs: their role and their log group; dev's interface endpoints' security group.
    expect(prodNames).toHaveLength(devNames.length + 2 - 1);
    expect(prodNames.filter((name) => devNames.includes(name))).toEqual([]);
  });
});

describe('remote state', () => {
  function backendOf(env: NodeJS.ProcessEnv, environment = dev) {
    const { imageTag, remoteState } = readDeploySettings({ IMAGE_TAG: 'abc123', ...env });
    const app = Testing.app();
    const stack = new PetStoreStack(app, stackName(environment), { environment, imageTag, remoteState });
    return JSON.parse(Testing.synth(stack)).terraform.backend;
  }

  test('without TF_STATE_BUCKET the state stays local', () => {
    expect(backendOf({})?.s3).toBeUndefined();
  });

  test('with TF_STATE_BUCKET each stack keeps encrypted, lock-file-locked state under its own key', () => {
    const devBackend = backendOf({ TF_STATE_BUCKET: 'acme-terraform-state' });
    expect(devBackend).toEqual({
      s3: {
        bucket: 'acme-terraform-state',
        key: 'petstore/petstore-dev/terraform.tfstate',
        region: 'us-east-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
    const prod = ENVIRONMENTS.find((environment) => environment.name === 'prod') as EnvironmentConfig;
    expect(backendOf({ TF_STATE_BUCKET: 'acme-terraform-state' }, prod).s3.key).toBe(
      'petstore/petstore-prod/terraform.tfstate',
    );
  });

  test('TF_STATE_REGION sets the bucket region', () => {
    expect(
      backendOf({ TF_STATE_BUCKET: 'acme-terraform-state', TF_STATE_REGION: 'eu-central-1' }).s3.region,
    ).toBe('eu-central-1');
  });

  test.each([
    [{ TF_STATE_BUCKET: 'Acme_State' }, "`TF_STATE_BUCKET` is 'Acme_State'; expected an S3 bucket name"],
    [
      { TF_STATE_BUCKET: 'acme-state', TF_STATE_REGION: 'central' },
      "`TF_STATE_REGION` is 'central'; expected an AWS region code",
    ],
    [
      { TF_STATE_REGION: 'eu-central-1' },
      "`TF_STATE_REGION` is 'eu-central-1'; it applies only with TF_STATE_BUCKET set.",
    ],
  ])('rejects %o', (env, message) => {
    expect(() => readDeploySettings(env)).toThrow(message);
  });
});

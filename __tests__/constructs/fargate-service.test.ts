import { readFileSync } from 'node:fs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { TerraformVariable } from 'cdktf';
import { HEALTH_PATH } from '../../app/contract';
import {
  FARGATE_SIZES,
  PetFargateService,
  type PetFargateServiceProps,
  validateFargateSize,
} from '../../constructs/fargate-service';
import { LOG_RETENTION_DAYS } from '../../constructs/logs';
import { PET_TABLE_DATA_ACTIONS } from '../../constructs/pet-table';
import {
  fargateServiceProps,
  onlyResource,
  REGION,
  ref,
  resourcesOf,
  serviceDependencies,
  synthScope,
} from './support';

function synthService(props: Partial<PetFargateServiceProps> = {}) {
  const refs = {
    table: '',
    idempotencyTable: '',
    tasksGroup: '',
    cloudMap: '',
    cloudMapAddress: '',
    repository: '',
    image: '',
    logGroup: '',
    executionRole: '',
    taskRole: '',
  };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope);
    const service = new PetFargateService(scope, 'PetService', {
      ...fargateServiceProps(deps),
      ...props,
    });
    refs.table = ref(deps.table.resource, 'arn');
    refs.idempotencyTable = ref(deps.table.idempotencyTable, 'arn');
    refs.tasksGroup = ref(deps.securityGroups.tasks, 'id');
    refs.cloudMap = ref(deps.serviceDiscovery.resource, 'arn');
    refs.cloudMapAddress = ref(deps.serviceDiscovery.resource, 'arn').slice(2, -1);
    refs.repository = ref(deps.image.repository, 'arn');
    refs.image = `${ref(deps.image.repository, 'repository_url')}:abc123`;
    refs.logGroup = ref(service.logGroup, 'arn');
    refs.executionRole = ref(service.executionRole, 'id');
    refs.taskRole = ref(service.taskRole, 'id');
  });
  return { synthesized, refs };
}

/** The inline policy attached to a role, by the role's `id` reference. */
/** Every statement of the role's inline policies (one per grant), in the order they were granted. */
function inlinePolicyOf(synthesized: string, roleRef: string) {
  const policies = resourcesOf(synthesized, 'aws_iam_role_policy').filter(
    (policy) => policy.role === roleRef,
  );
  expect(policies.length).toBeGreaterThan(0);
  return { Statement: policies.flatMap((policy) => JSON.parse(policy.policy).Statement) };
}

function trustOf(synthesized: string, roleName: string) {
  const roles = resourcesOf(synthesized, 'aws_iam_role').filter((role) => role.name === roleName);
  expect(roles).toHaveLength(1);
  return JSON.parse(roles[0]?.assume_role_policy).Statement;
}

function containerOf(synthesized: string) {
  const [container, ...others] = JSON.parse(
    onlyResource(synthesized, 'aws_ecs_task_definition').container_definitions,
  );
  expect(others).toEqual([]);
  return container;
}

describe('PetFargateService', () => {
  const { synthesized, refs } = synthService();

  test('the cluster has Container Insights on', () => {
    expect(synthesized).toHaveResourceWithProperties(EcsCluster, {
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
  });

  test('the task definition is a 256 CPU / 512 MiB Fargate task in awsvpc mode', () => {
    expect(synthesized).toHaveResourceWithProperties(EcsTaskDefinition, {
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: '256',
      memory: '512',
    });
  });

  test('the container listens on 8080 and is told its table and region', () => {
    const container = containerOf(synthesized);
    expect(container.image).toBe(refs.image);
    expect(container.portMappings).toEqual([{ containerPort: 8080, protocol: 'tcp' }]);
    expect(container.environment).toEqual(
      expect.arrayContaining([
        { name: 'TABLE_NAME', value: expect.stringMatching(/^\$\{aws_dynamodb_table\.\w+\.name\}$/) },
        {
          name: 'IDEMPOTENCY_TABLE_NAME',
          value: expect.stringMatching(/^\$\{aws_dynamodb_table\.\w+IdempotencyTable\w*\.name\}$/),
        },
        { name: 'AWS_REGION', value: REGION },
      ]),
    );
  });

  test('the container runs as non-root on a read-only root filesystem', () => {
    const container = containerOf(synthesized);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.user).toMatch(/^[1-9]\d*(:\d+)?$/);
  });

  test('the container logs to CloudWatch and is health-checked by the script the image ships', () => {
    const container = containerOf(synthesized);
    expect(container.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: expect.objectContaining({
        'awslogs-region': REGION,
        'awslogs-group': expect.stringContaining('aws_cloudwatch_log_group.'),
      }),
    });
    expect(synthesized).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 30 });
    expect(container.healthCheck.command).toEqual(['CMD', 'node', '/app/healthcheck.js']);
    // The image puts the bundled health check (app/healthcheck.ts, which calls GET /health) there.
    const dockerfile = readFileSync(new URL('../../app/Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(dockerfile).toMatch(/^COPY --from=build .*\/healthcheck\.js .*\.\/$/m);
    const healthcheck = readFileSync(new URL('../../app/healthcheck.ts', import.meta.url), 'utf8');
    // It calls the contract's health path: `http://127.0.0.1:<port><HEALTH_PATH>`.
    expect(healthcheck).toMatch(/127\.0\.0\.1:\$\{port\}\$\{HEALTH_PATH\}/);
    expect(HEALTH_PATH).toBe('/health');
  });

  test('the tasks run in the private subnets with no public IP, behind the tasks security group', () => {
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(service.launch_type).toBe('FARGATE');
    expect(service.network_configuration.assign_public_ip).toBe(false);
    expect(service.network_configuration.security_groups).toEqual([refs.tasksGroup]);
    expect(service.network_configuration.subnets).toEqual([
      expect.stringMatching(/^\$\{aws_subnet\.Network_PrivateSubnet1_\w+\.id\}$/),
    ]);
  });

  test('the service registers its tasks in Cloud Map with the container port for SRV records', () => {
    expect(synthesized).toHaveResourceWithProperties(EcsService, {
      service_registries: {
        registry_arn: refs.cloudMap,
        container_name: 'pet-service',
        container_port: 8080,
      },
    });
  });

  test('a failed deployment rolls back by itself, and apply waits to see the tasks healthy', () => {
    expect(synthesized).toHaveResourceWithProperties(EcsService, {
      deployment_circuit_breaker: { enable: true, rollback: true },
      desired_count: 1,
      wait_for_steady_state: true,
    });
    // Old revisions stay registered, so there is something to roll back to.
    expect(onlyResource(synthesized, 'aws_ecs_task_definition').skip_destroy).toBe(true);
  });

  test('the first tasks start only once they can pull their image: NAT route and execution policy first', () => {
    const service = onlyResource(synthesized, 'aws_ecs_service');
    expect(service.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_route\.Network_PrivateDefaultRoute1_\w+$/),
        expect.stringMatching(/^aws_iam_role_policy\.PetService_ExecutionRoleImagePull_\w+$/),
        expect.stringMatching(/^aws_iam_role_policy\.PetService_ExecutionRoleLogWrite_\w+$/),
      ]),
    );
  });

  test('the task role may call only the DynamoDB actions the service uses, on its two tables only', () => {
    const policy = inlinePolicyOf(synthesized, refs.taskRole);
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Scan',
        ],
        Resource: [refs.table, refs.idempotencyTable],
      },
    ]);
  });

  test('the task role allows exactly the DynamoDB calls the service makes', () => {
    const source = ['../../app/pets/repository.ts', '../../app/idempotency.ts']
      .map((file) => readFileSync(new URL(file, import.meta.url), 'utf8'))
      .join('\n');
    const calls = [...source.matchAll(/new (\w+)Command\(/g)].map(([, operation]) => `dynamodb:${operation}`);
    expect(new Set(calls)).toEqual(new Set(PET_TABLE_DATA_ACTIONS));
  });

  test("the execution role may pull only from the stack's repository and write only to the service's log group", () => {
    const definition = onlyResource(synthesized, 'aws_ecs_task_definition');
    expect(definition.execution_role_arn).not.toBe(definition.task_role_arn);
    // No account-wide AmazonECSTaskExecutionRolePolicy, nor any other managed policy.
    expect(resourcesOf(synthesized, 'aws_iam_role_policy_attachment')).toHaveLength(0);
    expect(inlinePolicyOf(synthesized, refs.executionRole).Statement).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: refs.repository,
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [refs.logGroup, `${refs.logGroup}:*`],
      },
    ]);
  });

  test('the execution role trusts ECS tasks as AWS documents it, without conditions', () => {
    expect(trustOf(synthesized, 'test-task-execution')).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  test("only this account's ECS tasks may assume the task role", () => {
    const [statement, ...others] = trustOf(synthesized, 'test-pet-service');
    expect(others).toEqual([]);
    expect(statement.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(statement.Condition.StringEquals['aws:SourceAccount']).toMatch(/data\.aws_caller_identity/);
    expect(statement.Condition.ArnLike['aws:SourceArn']).toMatch(
      /^arn:\$\{data\.aws_partition\.\w+\.partition\}:ecs:eu-west-1:/,
    );
  });

  test('tasks are rebalanced across AZs, stated rather than left to the AWS default', () => {
    expect(onlyResource(synthesized, 'aws_ecs_service').availability_zone_rebalancing).toBe('ENABLED');
  });

  test('a replaced Cloud Map service replaces the ECS service with it', () => {
    expect(onlyResource(synthesized, 'aws_ecs_service').lifecycle.replace_triggered_by).toEqual([
      refs.cloudMapAddress,
    ]);
  });

  test('autoscaling is off by default', () => {
    expect(synthesized).not.toHaveResource(AppautoscalingTarget);
    expect(onlyResource(synthesized, 'aws_ecs_service').lifecycle.ignore_changes).toBeUndefined();
  });

  test('CPU target tracking scales between the bounds and Terraform leaves the count to it', () => {
    const scaled = synthService({
      desiredCount: 2,
      autoscaling: { minCapacity: 2, maxCapacity: 6, targetCpuPercent: 60 },
    }).synthesized;
    expect(scaled).toHaveResourceWithProperties(AppautoscalingTarget, {
      min_capacity: 2,
      max_capacity: 6,
      scalable_dimension: 'ecs:service:DesiredCount',
    });
    expect(scaled).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: expect.objectContaining({
        target_value: 60,
        predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
      }),
    });
    expect(onlyResource(scaled, 'aws_ecs_service').lifecycle.ignore_changes).toEqual(['desired_count']);
  });

  test('accepts exactly the memory sizes Fargate allows beside each CPU size', () => {
    for (const [cpu, sizes] of Object.entries(FARGATE_SIZES)) {
      for (const memory of sizes) {
        expect(() => validateFargateSize('cpu', Number(cpu), 'memory', memory)).not.toThrow();
      }
      const [smallest = 0] = sizes;
      expect(() => validateFargateSize('cpu', Number(cpu), 'memory', smallest / 2)).toThrow('`memory`');
    }
    expect(FARGATE_SIZES[4096]).toHaveLength(23);
    expect(synthService({ cpu: 512, memory: 4096 }).synthesized).toHaveResourceWithProperties(
      EcsTaskDefinition,
      { cpu: '512', memory: '4096' },
    );
  });

  test.each<[Partial<PetFargateServiceProps>, string]>([
    [
      { cpu: 300 },
      '`cpu` is 300; expected one of the Fargate CPU sizes 256, 512, 1024, 2048, 4096, 8192, 16384.',
    ],
    [{ cpu: 256, memory: 4096 }, '`memory` is 4096; with cpu 256 Fargate accepts 512, 1024, 2048 (MiB).'],
    [
      { cpu: 1024, memory: 1024 },
      '`memory` is 1024; with cpu 1024 Fargate accepts 2048 to 8192 in steps of 1024 (MiB).',
    ],
    [{ desiredCount: -1 }, '`desiredCount` is -1; expected an integer from 0 to 1000.'],
    [{ logRetentionDays: 10 }, '`logRetentionDays` is 10; expected one of 1, 3, 5, 7, 14, 30'],
    [{ user: '0' }, "`user` is '0'; expected a non-root uid[:gid]"],
    [
      { autoscaling: { minCapacity: 3, maxCapacity: 2, targetCpuPercent: 50 } },
      '`autoscaling.maxCapacity` is 2; expected an integer from 3 to 1000.',
    ],
    [
      { desiredCount: 1, autoscaling: { minCapacity: 2, maxCapacity: 4, targetCpuPercent: 50 } },
      '`desiredCount` is 1; with autoscaling it must lie from autoscaling.minCapacity 2 to autoscaling.maxCapacity 4.',
    ],
  ])('rejects %o', (props, message) => {
    expect(() => synthService(props)).toThrow(message);
  });

  test('settings that are unresolved tokens (Terraform variables) pass the checks, as in AWS CDK, and reach Terraform as references', () => {
    const synthesized = synthScope((scope) => {
      const number = (name: string) => new TerraformVariable(scope, name, { type: 'number' }).numberValue;
      const deps = serviceDependencies(scope);
      new PetFargateService(scope, 'PetService', {
        ...fargateServiceProps(deps),
        containerPort: number('port'),
        cpu: number('cpu'),
        memory: number('memory'),
        desiredCount: number('tasks'),
        logRetentionDays: number('retention'),
        user: new TerraformVariable(scope, 'user', { type: 'string' }).stringValue,
        autoscaling: { minCapacity: number('min'), maxCapacity: number('max'), targetCpuPercent: 50 },
      });
    });
    const taskDefinition = onlyResource(synthesized, 'aws_ecs_task_definition');
    expect([taskDefinition.cpu, taskDefinition.memory]).toEqual([`\${var.cpu}`, `\${var.memory}`]);
    expect(onlyResource(synthesized, 'aws_ecs_service').desired_count).toBe(`\${var.tasks}`);
    expect(onlyResource(synthesized, 'aws_cloudwatch_log_group').retention_in_days).toBe(`\${var.retention}`);
    // A template Terraform fills in at apply: JSON only then.
    const containerDefinitions: string = taskDefinition.container_definitions;
    expect(containerDefinitions).toContain(`"user":"\${var.user}"`);
    expect(containerDefinitions).toContain(
      `"portMappings":[{"containerPort":\${var.port},"protocol":"tcp"}]`,
    );
    expect(containerDefinitions).toContain(`{"name":"PORT","value":"\${var.port}"}`);
  });

  test("log retention is CloudWatch Logs' list (constructs/logs.ts), not the service's", async () => {
    expect(Object.keys(await import('../../constructs/fargate-service'))).not.toContain('LOG_RETENTION_DAYS');
    expect(LOG_RETENTION_DAYS).toContain(30);
    expect(() => synthService({ logRetentionDays: 31 })).toThrow(
      `\`logRetentionDays\` is 31; expected one of ${LOG_RETENTION_DAYS.join(', ')}.`,
    );
  });
});

import { readFileSync } from 'node:fs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import {
  FARGATE_SIZES,
  PET_SERVICE_TABLE_ACTIONS,
  PetFargateService,
  type PetFargateServiceProps,
  validateFargateSize,
} from '../../constructs/fargate-service';
import { onlyResource, REGION, ref, resourcesOf, serviceDependencies, synthScope } from './support';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/test/pet-service:abc123';

function synthService(props: Partial<PetFargateServiceProps> = {}) {
  const refs = { table: '', tasksGroup: '', cloudMap: '' };
  const synthesized = synthScope((scope) => {
    const deps = serviceDependencies(scope);
    new PetFargateService(scope, 'PetService', {
      namePrefix: 'test',
      region: REGION,
      network: deps.network,
      table: deps.table,
      serviceDiscovery: deps.serviceDiscovery,
      securityGroup: deps.securityGroups.tasks,
      image: IMAGE,
      ...props,
    });
    refs.table = ref(deps.table.resource, 'arn');
    refs.tasksGroup = ref(deps.securityGroups.tasks, 'id');
    refs.cloudMap = ref(deps.serviceDiscovery.resource, 'arn');
  });
  return { synthesized, refs };
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
    expect(container.image).toBe(IMAGE);
    expect(container.portMappings).toEqual([{ containerPort: 8080, protocol: 'tcp' }]);
    expect(container.environment).toEqual(
      expect.arrayContaining([
        { name: 'TABLE_NAME', value: expect.stringMatching(/^\$\{aws_dynamodb_table\.\w+\.name\}$/) },
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
    expect(healthcheck).toContain('/health`');
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
        expect.stringMatching(/^aws_iam_role_policy_attachment\.PetService_ExecutionRolePolicy_\w+$/),
      ]),
    );
  });

  test('the task role may call only the DynamoDB actions the service uses, on the table only', () => {
    const policy = JSON.parse(onlyResource(synthesized, 'aws_iam_role_policy').policy);
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
        Resource: refs.table,
      },
    ]);
  });

  test('the task role allows exactly the DynamoDB calls the service makes', () => {
    const source = readFileSync(new URL('../../app/pets/repository.ts', import.meta.url), 'utf8');
    const calls = [...source.matchAll(/new (\w+)Command\(/g)].map(([, operation]) => `dynamodb:${operation}`);
    expect(new Set(calls)).toEqual(new Set(PET_SERVICE_TABLE_ACTIONS));
  });

  test('the execution role is separate and gets the AWS managed task-execution policy', () => {
    const definition = onlyResource(synthesized, 'aws_ecs_task_definition');
    expect(definition.execution_role_arn).not.toBe(definition.task_role_arn);
    expect(synthesized).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: expect.stringMatching(/:iam::aws:policy\/service-role\/AmazonECSTaskExecutionRolePolicy$/),
    });
    expect(resourcesOf(synthesized, 'aws_iam_role_policy_attachment')).toHaveLength(1);
  });

  test("only this account's ECS tasks may assume the roles", () => {
    for (const role of resourcesOf(synthesized, 'aws_iam_role')) {
      const [statement] = JSON.parse(role.assume_role_policy).Statement;
      expect(statement.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
      expect(statement.Condition.StringEquals['aws:SourceAccount']).toMatch(/data\.aws_caller_identity/);
    }
  });

  test('autoscaling is off by default', () => {
    expect(synthesized).not.toHaveResource(AppautoscalingTarget);
    expect(onlyResource(synthesized, 'aws_ecs_service').lifecycle).toBeUndefined();
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
    expect(onlyResource(scaled, 'aws_ecs_service').lifecycle).toEqual({ ignore_changes: ['desired_count'] });
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
});

import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { SERVICE_ENVIRONMENT, STOP_TIMEOUT_SECONDS } from '../app/contract';
import {
  type CapacityProviderStrategyItem,
  validateCapacityProviderStrategy,
} from './capacity-provider-strategy';
import { assumedBy } from './iam';
import type { ServiceImage } from './image-repository';
import { LOG_RETENTION_DAYS, LogGroup } from './logs';
import type { Network } from './network';
import type { PetTable } from './pet-table';
import type { ServiceDiscovery } from './service-discovery';
import { invalid, requireIntegerInRange, requireMatch, requireOneOf } from './validation';

/** CPU units Fargate accepts, each with the memory sizes (MiB) allowed beside it. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

export interface CpuAutoscaling {
  /** Fewest tasks autoscaling may leave running. */
  readonly minCapacity: number;
  /** Most tasks autoscaling may start. */
  readonly maxCapacity: number;
  /** Average service CPU utilisation (percent) to hold. */
  readonly targetCpuPercent: number;
}

export interface PetFargateServiceProps {
  /** Prefix for names that must be unique per account and region, e.g. `petstore-dev`. */
  readonly namePrefix: string;
  readonly region: string;
  /** Where the tasks run: the private subnets, and their routes out (which the tasks wait for). */
  readonly network: Pick<Network, 'privateSubnetIds' | 'privateEgress'>;
  /** The tables the service reads and writes, which grant the task role access. */
  readonly table: Pick<PetTable, 'tableName' | 'idempotencyTableName' | 'grantReadWriteData'>;
  /** The Cloud Map service the tasks register in. */
  readonly serviceDiscovery: Pick<ServiceDiscovery, 'serviceArn' | 'resource'>;
  /** The tasks' security group (admits the VPC link only). */
  readonly securityGroup: Pick<SecurityGroup, 'id'>;
  /** The image the tasks run; its repository (and no other) grants the execution role the pull. */
  readonly image: Pick<ServiceImage, 'imageUri' | 'grantPull'>;
  /** Task CPU units; one of the Fargate sizes. @default 256 */
  readonly cpu?: number;
  /** Task memory (MiB); must be allowed beside `cpu` by Fargate. @default 512 */
  readonly memory?: number;
  /** Tasks to run (the starting point when autoscaling is on). @default 1 */
  readonly desiredCount?: number;
  /** Port the container listens on (its `PORT`); the tasks' security group must admit the same one. */
  readonly containerPort: number;
  /** Days CloudWatch keeps the service's logs. @default 30 */
  readonly logRetentionDays?: number;
  /** CPU target-tracking autoscaling. @default - none: the service runs `desiredCount` tasks */
  readonly autoscaling?: CpuAutoscaling;
  /**
   * How tasks are spread over Fargate and Fargate Spot, e.g. `[{ capacityProvider: 'FARGATE', base: 1,
   * weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }]`; the cluster then offers both.
   * @default - none: every task on Fargate (`launch_type` FARGATE)
   */
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
  /** CPU architecture the image is built for. @default 'X86_64' */
  readonly cpuArchitecture?: 'X86_64' | 'ARM64';
  /** User (uid[:gid]) the container runs as; the image's non-root user. @default '1000:1000' */
  readonly user?: string;
}

const CONTAINER_NAME = 'pet-service';

/**
 * The pet service on ECS Fargate: tasks in the private subnets with no public IP, registered in Cloud
 * Map so the API Gateway VPC link can find them, with logs, health checks and a deployment circuit
 * breaker. Two roles keep duties apart: the execution role (ECS pulling the image and writing logs)
 * and the task role (the service's own calls, limited to the pets table).
 */
export class PetFargateService extends Construct {
  public readonly cluster: EcsCluster;
  /** The providers the cluster offers, when the service has a capacity provider strategy. */
  public readonly capacityProviders?: EcsClusterCapacityProviders;
  /** The ECS service. */
  public readonly resource: EcsService;
  public readonly taskDefinition: EcsTaskDefinition;
  public readonly logGroup: LogGroup;
  public readonly taskRole: IamRole;
  public readonly executionRole: IamRole;
  public readonly clusterName: string;
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: PetFargateServiceProps) {
    super(scope, id);
    const cpu = props.cpu ?? 256;
    const memory = props.memory ?? 512;
    const desiredCount = props.desiredCount ?? 1;
    const containerPort = props.containerPort;
    const logRetentionDays = props.logRetentionDays ?? 30;
    const cpuArchitecture = props.cpuArchitecture ?? 'X86_64';
    const user = props.user ?? '1000:1000';
    validateFargateSize('cpu', cpu, 'memory', memory);
    requireIntegerInRange('desiredCount', desiredCount, 0, 1000);
    requireIntegerInRange('containerPort', containerPort, 1, 65535);
    requireOneOf('logRetentionDays', logRetentionDays, LOG_RETENTION_DAYS);
    requireOneOf('cpuArchitecture', cpuArchitecture, ['X86_64', 'ARM64'] as const);
    requireMatch('user', user, /^[1-9]\d*(:\d+)?$/, 'a non-root uid[:gid], e.g. 1000:1000');
    if (props.autoscaling) validateAutoscaling(props.autoscaling, desiredCount);
    const strategy = props.capacityProviderStrategy;
    if (strategy) validateCapacityProviderStrategy(strategy);

    const partition = new DataAwsPartition(this, 'Partition');
    const account = new DataAwsCallerIdentity(this, 'Account');

    this.cluster = new EcsCluster(this, 'Cluster', {
      name: props.namePrefix,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    this.clusterName = this.cluster.name;
    // A service can only use the providers its cluster offers.
    if (strategy) {
      this.capacityProviders = new EcsClusterCapacityProviders(this, 'CapacityProviders', {
        clusterName: this.cluster.name,
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      });
    }

    this.logGroup = new LogGroup(this, 'LogGroup', {
      name: `/ecs/${props.namePrefix}/${CONTAINER_NAME}`,
      retentionInDays: logRetentionDays,
    });

    // The execution role is assumed by the ECS agent, not by a task's code: AWS documents its trust
    // without conditions, and terraform-aws-modules' ECS module conditions only the tasks role.
    this.executionRole = new IamRole(this, 'ExecutionRole', {
      name: `${props.namePrefix}-task-execution`,
      description: 'ECS pulls the pet service image and writes its logs',
      assumeRolePolicy: assumedBy('ecs-tasks.amazonaws.com'),
    });
    // Instead of the account-wide AmazonECSTaskExecutionRolePolicy: pull from this stack's repository and
    // write to this service's log group, nothing else; each owner grants its own.
    const executionRolePolicies = [
      props.image.grantPull(this.executionRole),
      this.logGroup.grantWrite(this.executionRole),
    ];
    // Only ECS tasks of this account may assume the task role (confused-deputy guard).
    const assumedByEcsTasks = assumedBy('ecs-tasks.amazonaws.com', {
      StringEquals: { 'aws:SourceAccount': account.accountId },
      ArnLike: {
        'aws:SourceArn': `arn:${partition.partition}:ecs:${props.region}:${account.accountId}:*`,
      },
    });
    this.taskRole = new IamRole(this, 'TaskRole', {
      name: `${props.namePrefix}-pet-service`,
      description: 'The pet service itself: reads and writes the pets table, nothing else',
      assumeRolePolicy: assumedByEcsTasks,
    });
    props.table.grantReadWriteData(this.taskRole);

    this.taskDefinition = new EcsTaskDefinition(this, 'TaskDefinition', {
      family: `${props.namePrefix}-${CONTAINER_NAME}`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: text(cpu),
      memory: text(memory),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture },
      // Each image tag is a new revision; keeping the old ones active lets the circuit breaker roll back to them.
      skipDestroy: true,
      containerDefinitions: JSON.stringify([
        {
          name: CONTAINER_NAME,
          image: props.image.imageUri,
          essential: true,
          user,
          readonlyRootFilesystem: true,
          portMappings: [{ containerPort, protocol: 'tcp' }],
          environment: [
            { name: SERVICE_ENVIRONMENT.tableName, value: props.table.tableName },
            { name: SERVICE_ENVIRONMENT.idempotencyTableName, value: props.table.idempotencyTableName },
            { name: SERVICE_ENVIRONMENT.region, value: props.region },
            { name: SERVICE_ENVIRONMENT.port, value: text(containerPort) },
          ],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': this.logGroup.name,
              'awslogs-region': props.region,
              'awslogs-stream-prefix': CONTAINER_NAME,
            },
          },
          healthCheck: {
            command: ['CMD', 'node', '/app/healthcheck.js'],
            interval: 15,
            timeout: 5,
            retries: 3,
            startPeriod: 10,
          },
          // ECS sends SIGTERM, then SIGKILL after this many seconds; the service drains well within it.
          stopTimeout: STOP_TIMEOUT_SECONDS,
          // An init process forwards signals and reaps zombies; node as PID 1 does neither by default.
          linuxParameters: { initProcessEnabled: true },
        },
      ]),
    });

    const discoveryService = props.serviceDiscovery.resource;
    this.resource = new EcsService(this, 'Service', {
      name: CONTAINER_NAME,
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount,
      // ECS takes a launch type or a strategy, never both.
      launchType: strategy ? undefined : 'FARGATE',
      capacityProviderStrategy: strategy?.map((item) => ({
        capacityProvider: item.capacityProvider,
        base: item.base,
        weight: item.weight,
      })),
      // Without it the provider replaces the service on any change of bases or weights; with it they
      // change in place, as a rolling deployment. Moving from the launch type to a strategy (or back)
      // replaces the service whatever this says (provider 5.x; 6.x updates it in place).
      forceNewDeployment: strategy ? true : undefined,
      platformVersion: 'LATEST',
      networkConfiguration: {
        subnets: props.network.privateSubnetIds,
        securityGroups: [props.securityGroup.id],
        assignPublicIp: false,
      },
      // SRV records need the container and port, not just the task IP.
      serviceRegistries: {
        registryArn: props.serviceDiscovery.serviceArn,
        containerName: CONTAINER_NAME,
        containerPort,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: false,
      propagateTags: 'SERVICE',
      // Apply returns once the tasks are healthy, and fails if the circuit breaker rolls the deployment back.
      waitForSteadyState: true,
      // Tasks pull their image over NAT (or the interface endpoints) with the execution role: both must
      // exist before the first task starts; so must the cluster's capacity providers a strategy names.
      dependsOn: [
        ...props.network.privateEgress,
        ...executionRolePolicies,
        ...(this.capacityProviders ? [this.capacityProviders] : []),
      ],
      // After an AZ recovers, ECS moves tasks back so they stay spread. Stated, not left to AWS's default:
      // the 5.x provider stores no default and the 6.x one computes whatever AWS picked.
      availabilityZoneRebalancing: 'ENABLED',
      lifecycle: {
        // Autoscaling owns the task count once it is on; Terraform would otherwise reset it on every apply.
        ignoreChanges: props.autoscaling ? ['desired_count'] : undefined,
        // A new Cloud Map service (a new ARN) takes a new ECS service with it: the old ECS service goes
        // first and deregisters its tasks, instead of leaving them registered to a deleted Cloud Map service.
        replaceTriggeredBy: [
          `${discoveryService.terraformResourceType}.${discoveryService.friendlyUniqueId}.arn`,
        ],
      },
    });
    this.serviceName = this.resource.name;

    if (props.autoscaling) {
      const target = new AppautoscalingTarget(this, 'ScalingTarget', {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId: `service/${this.cluster.name}/${this.resource.name}`,
        minCapacity: props.autoscaling.minCapacity,
        maxCapacity: props.autoscaling.maxCapacity,
      });
      new AppautoscalingPolicy(this, 'CpuScalingPolicy', {
        name: `${props.namePrefix}-cpu-target`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: props.autoscaling.targetCpuPercent,
          predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      });
    }
  }
}

/** Throws unless Fargate accepts this CPU and memory pair; the field names let callers point at their own config. */
export function validateFargateSize(
  cpuField: string,
  cpu: number,
  memoryField: string,
  memory: number,
): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memory)) return;
  const allowedMemory = FARGATE_SIZES[cpu];
  if (!allowedMemory) {
    throw invalid(
      cpuField,
      cpu,
      `expected one of the Fargate CPU sizes ${Object.keys(FARGATE_SIZES).join(', ')}`,
    );
  }
  if (!allowedMemory.includes(memory)) {
    const [first = 0, second = 0] = allowedMemory;
    const sizes =
      allowedMemory.length > 6
        ? `${first} to ${allowedMemory.at(-1)} in steps of ${second - first}`
        : allowedMemory.join(', ');
    throw invalid(memoryField, memory, `with ${cpuField} ${cpu} Fargate accepts ${sizes} (MiB)`);
  }
}

function validateAutoscaling(autoscaling: CpuAutoscaling, desiredCount: number): void {
  requireIntegerInRange('autoscaling.minCapacity', autoscaling.minCapacity, 1, 1000);
  requireIntegerInRange('autoscaling.maxCapacity', autoscaling.maxCapacity, autoscaling.minCapacity, 1000);
  requireIntegerInRange('autoscaling.targetCpuPercent', autoscaling.targetCpuPercent, 10, 90);
  const counts = [desiredCount, autoscaling.minCapacity, autoscaling.maxCapacity];
  if (counts.some((count) => Token.isUnresolved(count))) return;
  if (desiredCount < autoscaling.minCapacity || desiredCount > autoscaling.maxCapacity) {
    throw invalid(
      'desiredCount',
      desiredCount,
      `with autoscaling it must lie from autoscaling.minCapacity ${autoscaling.minCapacity} to autoscaling.maxCapacity ${autoscaling.maxCapacity}`,
    );
  }
}

/** A number as Terraform's string: a token stays a token, where String() would print the number standing for it. */
function text(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

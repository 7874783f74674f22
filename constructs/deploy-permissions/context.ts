import type { CustomDomain } from '../api-domain';
import type { EnvironmentConfig } from '../config';

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** The managed policies a deploy role gets, one per group of services (each under IAM's 6,144 characters). */
export type DeployPolicyName =
  | 'network'
  | 'network-changes'
  | 'compute'
  | 'identity'
  | 'api'
  | 'observability'
  | 'data'
  | 'domain';

/** A statement, the policy it goes in, and what needs it: Terraform resource types, or a tool's name. */
export interface DeployPermission {
  readonly policy: DeployPolicyName;
  /** Terraform resource types (`aws_vpc`), or `tool:<name>` for what the scripts call. */
  readonly neededBy: readonly string[];
  readonly statement: PolicyStatement;
}

export interface DeployPermissionsContext {
  /** The environment the role deploys. */
  readonly environment: EnvironmentConfig;
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  readonly accountId: string;
  /** ARN of the state bucket. */
  readonly stateBucketArn: string;
}

/** What every group of statements derives from the context. */
export interface Scope {
  readonly context: DeployPermissionsContext;
  readonly region: string;
  /** `petstore-<env>`: the prefix of every name the stack gives. */
  readonly prefix: string;
  /** An ARN in this account (and region, unless `regional` is false). */
  arn(service: string, resource: string, regional?: boolean): string;
  role(name: string): string;
  readonly inRegion: Record<string, Record<string, string>>;
  /**
   * Resources that carry this environment's tag (every resource the stack creates does, through the
   * provider's default tags): how the environments are told apart where names and ids are random.
   */
  readonly taggedForEnvironment: Record<string, Record<string, string>>;
  /**
   * A request that tags what it creates with this environment (the provider sends the default tags),
   * on a resource no environment has claimed yet: a create, never a takeover of another's resource.
   */
  readonly creatingForEnvironment: Record<string, Record<string, string>>;
  /** Tag changes on this environment's resources that leave `Project` and `Environment` alone. */
  readonly retaggingOwn: Record<string, Record<string, string | string[]>>;
  readonly autoscaling: boolean;
  readonly flowLogs: boolean;
  readonly sesEmail: boolean;
  readonly alarmSubscriptions: boolean;
  /** `network.natGateways: 'none'`: no internet gateway, NAT or Elastic IP; interface endpoints instead. */
  readonly isolatedNetwork: boolean;
  /** `service.capacityProviderStrategy` is set: the cluster's capacity providers. */
  readonly capacityProviders: boolean;
  /** `api.customDomain`, when set: its certificate, records and API Gateway domain name. */
  readonly customDomain?: CustomDomain;
  /** Regions with a replica of the tables (`table.replicaRegions`). */
  readonly replicaRegions: readonly string[];
  /** The tables' data-event trail (`audit.dataEvents`). */
  readonly audit: boolean;
}

export function scopeOf(context: DeployPermissionsContext): Scope {
  const { environment, partition, accountId } = context;
  const region = environment.region;
  return {
    context,
    region,
    prefix: `petstore-${environment.name}`,
    arn: (service, resource, regional = true) =>
      `arn:${partition}:${service}:${regional ? region : ''}:${accountId}:${resource}`,
    role: (name) => `arn:${partition}:iam::${accountId}:role/${name}`,
    inRegion: { StringEquals: { 'aws:RequestedRegion': region } },
    taggedForEnvironment: {
      StringEquals: {
        'aws:RequestedRegion': region,
        'aws:ResourceTag/Project': 'petstore',
        'aws:ResourceTag/Environment': environment.name,
      },
    },
    creatingForEnvironment: {
      StringEquals: {
        'aws:RequestedRegion': region,
        'aws:RequestTag/Project': 'petstore',
        'aws:RequestTag/Environment': environment.name,
      },
      Null: { 'aws:ResourceTag/Environment': 'true' },
    },
    retaggingOwn: {
      StringEquals: {
        'aws:RequestedRegion': region,
        'aws:ResourceTag/Project': 'petstore',
        'aws:ResourceTag/Environment': environment.name,
      },
      'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['Project', 'Environment'] },
    },
    autoscaling: environment.service?.autoscaling !== undefined,
    flowLogs: environment.network.flowLogRetentionDays !== undefined,
    sesEmail: environment.auth?.emailSender !== undefined,
    alarmSubscriptions: (environment.monitoring?.alarmSubscriptions ?? []).length > 0,
    isolatedNetwork: environment.network.natGateways === 'none',
    capacityProviders: environment.service?.capacityProviderStrategy !== undefined,
    customDomain: environment.api?.customDomain,
    replicaRegions: environment.table?.replicaRegions ?? [],
    audit: environment.audit?.dataEvents === true,
  };
}

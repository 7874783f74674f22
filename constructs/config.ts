import { SERVICE_PORT } from '../app/contract';
import type { AuditConfig } from './audit-trail';
import type { AwsConfigSettings } from './config-recorder';
import type { PetFargateServiceProps } from './fargate-service';
import type { GithubRepository } from './github-oidc';
import type { PetHttpApiProps } from './http-api';
import type { MonitoringProps } from './monitoring';
import type { NetworkProps } from './network';
import type { PetTableProps } from './pet-table';
import type { UserAuthProps } from './user-auth';
import { ConfigError, invalid, type KeyTree, requireKnownKeys, requireMatch } from './validation';

export { REGION, REGION_ALLOWED };

/**
 * The port the pet service listens on (app/contract.ts). The stack gives it to the service (its `PORT`
 * and port mapping) and to the tasks' security group, so the two cannot disagree.
 */
export const DEFAULT_CONTAINER_PORT = SERVICE_PORT;

/**
 * One deployment of the pet store. Only `name`, `region` and the AZs (`network.availabilityZoneIds`)
 * are required; every other setting is a construct prop, typed and documented (with its default, the
 * original design's value) on the construct's props interface it is picked from.
 */
export interface EnvironmentConfig {
  /** Short name, part of every resource name (`petstore-<name>-…`), e.g. `dev`. */
  readonly name: string;
  /** AWS region to deploy to, e.g. `us-east-1`. */
  readonly region: string;
  readonly network: Pick<
    NetworkProps,
    'availabilityZoneIds' | 'natGateways' | 'cidrBlock' | 'flowLogRetentionDays'
  >;
  /** `containerPort` reaches the service and its security group alike. @default containerPort 8080 (DEFAULT_CONTAINER_PORT) */
  readonly service?: Partial<
    Pick<
      PetFargateServiceProps,
      | 'cpu'
      | 'memory'
      | 'desiredCount'
      | 'containerPort'
      | 'autoscaling'
      | 'logRetentionDays'
      | 'cpuArchitecture'
      | 'capacityProviderStrategy'
    >
  >;
  readonly table?: Pick<PetTableProps, 'deletionProtection' | 'replicaRegions'>;
  /** A CloudTrail trail of the tables' data events (see `AuditTrail`). @default - none */
  readonly audit?: AuditConfig;
  readonly api?: Pick<
    PetHttpApiProps,
    | 'throttlingRateLimit'
    | 'throttlingBurstLimit'
    | 'accessLogRetentionDays'
    | 'corsAllowOrigins'
    | 'customDomain'
  >;
  readonly auth?: Pick<
    UserAuthProps,
    | 'allowPasswordAuth'
    | 'selfSignUp'
    | 'deletionProtection'
    | 'totpMfa'
    | 'threatProtection'
    | 'emailSender'
    | 'refreshTokenValidityDays'
  >;
  readonly monitoring?: Pick<
    MonitoringProps,
    | 'alarmSubscriptions'
    | 'api5xxPercent'
    | 'apiP99LatencyMs'
    | 'tasksBelowDesiredMinutes'
    | 'tableThrottledRequests'
    | 'tableSystemErrors'
  >;
}

/** The one-time setup of an account: see `PetStoreBootstrapStack`. */
export interface BootstrapConfig {
  /** Region of the state bucket (IAM is global). */
  readonly region: string;
  /** The repository whose workflows plan (pull requests) and deploy (GitHub environments). */
  readonly github: GithubRepository;
  /** The GitHub environments that deploy, one deploy role each; each is the name of an entry of ENVIRONMENTS. */
  readonly environments: readonly string[];
  /** The state bucket's name. @default `petstore-terraform-state-<account id>-<region>` */
  readonly stateBucket?: string;
  /** AWS Config in the bootstrap region (see `ConfigRecorder`). @default - off */
  readonly awsConfig?: AwsConfigSettings;
}

/** The stack of an environment, and the prefix of its resource names: `petstore-<name>`. */
export function stackName(environment: Pick<EnvironmentConfig, 'name'>): string {
  return `petstore-${environment.name}`;
}

/** The pets table of an environment: `petstore-<name>-pets`. */
export function petsTableName(environment: Pick<EnvironmentConfig, 'name'>): string {
  return `${stackName(environment)}-pets`;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const REGION_ALLOWED = 'an AWS region code such as us-east-1';

/** Every key an environment may set; the compiler holds it to `EnvironmentConfig`. */
const ENVIRONMENT_KEYS = {
  name: true,
  region: true,
  network: { availabilityZoneIds: true, natGateways: true, cidrBlock: true, flowLogRetentionDays: true },
  service: {
    cpu: true,
    memory: true,
    desiredCount: true,
    containerPort: true,
    autoscaling: { minCapacity: true, maxCapacity: true, targetCpuPercent: true },
    logRetentionDays: true,
    cpuArchitecture: true,
    capacityProviderStrategy: [{ capacityProvider: true, base: true, weight: true }],
  },
  table: { deletionProtection: true, replicaRegions: true },
  audit: { dataEvents: true, retentionDays: true },
  api: {
    throttlingRateLimit: true,
    throttlingBurstLimit: true,
    accessLogRetentionDays: true,
    corsAllowOrigins: true,
    customDomain: { domainName: true, hostedZoneId: true },
  },
  auth: {
    allowPasswordAuth: true,
    selfSignUp: true,
    deletionProtection: true,
    totpMfa: true,
    threatProtection: true,
    emailSender: { sesIdentityArn: true, fromAddress: true, replyToAddress: true },
    refreshTokenValidityDays: true,
  },
  monitoring: {
    alarmSubscriptions: [{ protocol: true, endpoint: true }],
    api5xxPercent: true,
    apiP99LatencyMs: true,
    tasksBelowDesiredMinutes: true,
    tableThrottledRequests: true,
    tableSystemErrors: true,
  },
} as const satisfies KeyTree<EnvironmentConfig>;

/** Every key of the bootstrap settings; the compiler holds it to `BootstrapConfig`. */
const BOOTSTRAP_KEYS = {
  region: true,
  github: { owner: true, name: true },
  environments: true,
  stateBucket: true,
  awsConfig: { enabled: true },
} as const satisfies KeyTree<BootstrapConfig>;

/** Fails on a key the bootstrap settings do not have, e.g. a misspelt `stateBuckt`. */
export function validateBootstrap(bootstrap: BootstrapConfig): void {
  requireKnownKeys('bootstrap', bootstrap, BOOTSTRAP_KEYS);
}

/**
 * Checks what the constructs cannot: that every key is known (a misspelt one would be ignored) and the
 * environment set as a whole. Construct props are checked by the constructs.
 */
export function validateEnvironments(environments: readonly EnvironmentConfig[]): void {
  const seen = new Set<string>();
  environments.forEach((environment, index) => {
    const at = `environments[${index}]`;
    requireKnownKeys(`environments.${environment.name ?? index}`, environment, ENVIRONMENT_KEYS);
    requireMatch(
      `${at}.name`,
      environment.name,
      /^[a-z][a-z0-9-]{0,15}$/,
      'lowercase letters, digits and -, starting with a letter, at most 16',
    );
    requireMatch(`${at}.region`, environment.region, REGION, REGION_ALLOWED);
    if (seen.has(environment.name))
      throw invalid(`${at}.name`, environment.name, 'environment names must be unique');
    seen.add(environment.name);
  });
}

/** Runs `build` and re-raises a construct's `ConfigError` with the configuration path it came from. */
export function atConfigPath<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(`Invalid configuration ${path}: ${error.message}`);
    throw error;
  }
}

import { spawnSync } from 'node:child_process';
import type { PetFargateServiceProps } from './fargate-service';
import { type GithubRepository, UNSET_GITHUB_OWNER } from './github-oidc';
import type { PetHttpApiProps } from './http-api';
import type { MonitoringProps } from './monitoring';
import type { NetworkProps } from './network';
import type { PetTableProps } from './pet-table';
import type { RemoteStateSettings } from './state-backend';
import type { UserAuthProps } from './user-auth';
import { ConfigError, invalid, type KeyTree, requireKnownKeys, requireMatch } from './validation';

/**
 * The port the pet service listens on: app/config.ts's `PORT` default. The stack gives it to the service
 * (its `PORT` and port mapping) and to the tasks' security group, so the two cannot disagree.
 */
export const DEFAULT_CONTAINER_PORT = 8080;

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
    >
  >;
  readonly table?: Pick<PetTableProps, 'deletionProtection'>;
  readonly api?: Pick<
    PetHttpApiProps,
    'throttlingRateLimit' | 'throttlingBurstLimit' | 'accessLogRetentionDays' | 'corsAllowOrigins'
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

/** The environments `main.ts` synthesizes, one stack each. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    // The original design: one AZ, one NAT gateway, one task.
    name: 'dev',
    region: 'us-east-1',
    network: { availabilityZoneIds: ['use1-az1'] },
    // A web client in development runs on a local dev server (Vite's default port).
    api: { corsAllowOrigins: ['http://localhost:5173'] },
    // Scripted clients sign in with a password in dev; production clients use SRP.
    auth: { allowPasswordAuth: true },
  },
  {
    // Survives the loss of an AZ: subnets and a NAT gateway in each of two, at least two tasks.
    name: 'prod',
    region: 'us-east-1',
    network: {
      availabilityZoneIds: ['use1-az1', 'use1-az2'],
      natGateways: 'per-az',
      flowLogRetentionDays: 365,
    },
    service: {
      cpu: 512,
      memory: 1024,
      desiredCount: 2,
      autoscaling: { minCapacity: 2, maxCapacity: 10, targetCpuPercent: 60 },
      logRetentionDays: 365,
    },
    table: { deletionProtection: true },
    api: {
      throttlingRateLimit: 500,
      throttlingBurstLimit: 1000,
      accessLogRetentionDays: 365,
      // No browser client is published yet: add its https origin here when there is one.
      corsAllowOrigins: [],
    },
    // Threat protection blocks sign-ins with leaked passwords or risky patterns (Cognito's Plus plan,
    // billed per monthly active user): production's users are worth it.
    auth: { deletionProtection: true, totpMfa: true, threatProtection: 'ENFORCED' },
    // Tighter than dev's defaults: production traffic makes a small share meaningful.
    monitoring: {
      api5xxPercent: 1,
      apiP99LatencyMs: 1000,
      tasksBelowDesiredMinutes: 5,
      tableThrottledRequests: 0,
      tableSystemErrors: 0,
    },
  },
];

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
}

/** What `petstore-bootstrap` sets up: apply it once per account, with admin credentials. */
export const BOOTSTRAP: BootstrapConfig = {
  region: 'us-east-1',
  // Set the owner to your GitHub user or organization before applying.
  github: { owner: UNSET_GITHUB_OWNER, name: 'petstore-cdktf' },
  environments: ['dev', 'prod'],
};

/** The stack of an environment, and the prefix of its resource names: `petstore-<name>`. */
export function stackName(environment: Pick<EnvironmentConfig, 'name'>): string {
  return `petstore-${environment.name}`;
}

/** Settings read from the process environment rather than from code. */
export interface DeploySettings {
  /**
   * Image tag the service runs, from `IMAGE_TAG`: the commit SHA in CI.
   * @default - the HEAD commit, the tag `npm run image:push` pushes
   */
  readonly imageTag: string;
  /** S3 remote state, from `TF_STATE_BUCKET` and `TF_STATE_REGION`. @default - local state files */
  readonly remoteState?: RemoteStateSettings;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const REGION_ALLOWED = 'an AWS region code such as us-east-1';

/**
 * Reads `IMAGE_TAG`, `TF_STATE_BUCKET` and `TF_STATE_REGION`. Without `IMAGE_TAG` the tag is
 * `headCommit()`, the one `npm run image:push` gives the committed code; a deploy of an app stack needs
 * that image pushed first, and the bootstrap stack runs no image at all.
 */
export function readDeploySettings(
  env: NodeJS.ProcessEnv,
  headCommit: () => string | undefined = gitHeadCommit,
): DeploySettings {
  const imageTag = env.IMAGE_TAG || headCommit();
  if (!imageTag) {
    throw new ConfigError(
      '`IMAGE_TAG` is unset and there is no git commit to take the tag from; set IMAGE_TAG to the tag `npm run image:push` printed.',
    );
  }
  requireMatch(
    'IMAGE_TAG',
    imageTag,
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    'a Docker tag: letters, digits, _ . - (at most 128)',
  );
  const bucket = env.TF_STATE_BUCKET;
  if (!bucket) {
    if (env.TF_STATE_REGION)
      throw invalid('TF_STATE_REGION', env.TF_STATE_REGION, 'it applies only with TF_STATE_BUCKET set');
    return { imageTag };
  }
  requireMatch(
    'TF_STATE_BUCKET',
    bucket,
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'an S3 bucket name: 3-63 lowercase letters, digits, . and -',
  );
  const region = env.TF_STATE_REGION || undefined;
  if (region) requireMatch('TF_STATE_REGION', region, REGION, REGION_ALLOWED);
  return { imageTag, remoteState: { bucket, region } };
}

/** `git rev-parse HEAD`, or undefined outside a git work tree (or without git). */
export function gitHeadCommit(): string | undefined {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
}

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
  },
  table: { deletionProtection: true },
  api: {
    throttlingRateLimit: true,
    throttlingBurstLimit: true,
    accessLogRetentionDays: true,
    corsAllowOrigins: true,
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

/**
 * The app's configuration, beside `main.ts`: the environments it deploys and the one-time setup (data,
 * typed from the construct props), and the settings read from the process environment and git. Only
 * this layer reads them; the constructs get plain values.
 */
import { spawnSync } from 'node:child_process';
import { type BootstrapConfig, type EnvironmentConfig, REGION, REGION_ALLOWED } from './constructs/config';
import type { EmulatorTarget } from './constructs/emulator-target';
import { UNSET_GITHUB_OWNER } from './constructs/github-oidc';
import type { RemoteStateSettings } from './constructs/state-backend';
import { ConfigError, invalid, requireMatch } from './constructs/validation';

/** The environments `main.ts` synthesizes, one stack each. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    // The original design's shape (one AZ, one task), at the lowest fixed cost that still works: no NAT
    // gateway (the tasks reach ECR and CloudWatch Logs through interface endpoints) and the task on
    // Fargate Spot (a dev API may go away for a minute when AWS takes the capacity back).
    name: 'dev',
    region: 'us-east-1',
    network: { availabilityZoneIds: ['use1-az1'], natGateways: 'none' },
    service: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] },
    // A web client in development runs on a local dev server (Vite's default port).
    api: { corsAllowOrigins: ['http://localhost:5173'] },
    // Scripted clients sign in with a password in dev; production clients use SRP.
    auth: { allowPasswordAuth: true },
  },
  {
    // Survives the loss of an AZ: subnets and a NAT gateway in each of two, at least two tasks, all on
    // regular Fargate. It keeps NAT until dev has run without it for a while (a missing endpoint shows
    // only when a task cannot pull or log), and has no custom domain until the team's zone is named here.
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
    // Who read or changed which pet, and when: production's users' data is worth the record.
    audit: { dataEvents: true },
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

/** What `petstore-bootstrap` sets up: apply it once per account, with admin credentials. */
export const BOOTSTRAP: BootstrapConfig = {
  region: 'us-east-1',
  // Set the owner to your GitHub user or organization before applying.
  github: { owner: UNSET_GITHUB_OWNER, name: 'petstore-cdktf' },
  environments: ['dev', 'prod'],
};

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

/**
 * `EMULATOR_ENDPOINT` (a loopback URL) points every stack at an AWS emulator instead of AWS, with
 * `EMULATOR_AWS_PROVIDER_VERSION` (the mirror's hashicorp/aws). `npm run rehearse` and `npm run local`
 * set them; see docs/local.md.
 */
export function readEmulatorTarget(env: NodeJS.ProcessEnv): EmulatorTarget | undefined {
  const endpoint = env.EMULATOR_ENDPOINT;
  if (!endpoint) return undefined;
  requireMatch(
    'EMULATOR_ENDPOINT',
    endpoint,
    /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/,
    'a loopback URL such as http://127.0.0.1:5000',
  );
  const awsProviderVersion = env.EMULATOR_AWS_PROVIDER_VERSION || undefined;
  if (awsProviderVersion) {
    requireMatch(
      'EMULATOR_AWS_PROVIDER_VERSION',
      awsProviderVersion,
      /^\d+\.\d+\.\d+$/,
      'a version such as 5.100.0',
    );
  }
  return { endpoint, awsProviderVersion };
}

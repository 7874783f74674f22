import type { CpuAutoscaling } from './fargate-service';
import type { NatGatewayMode } from './network';
import { ConfigError, invalid, requireMatch } from './validation';

/**
 * One deployment of the pet store. Only `name` and `region` are required; every other setting falls
 * back to the default documented on the construct prop it feeds (the original design's values).
 */
export interface EnvironmentConfig {
  /** Short name, part of every resource name (`petstore-<name>-…`), e.g. `dev`. */
  readonly name: string;
  /** AWS region to deploy to, e.g. `us-east-1`. */
  readonly region: string;
  /** See `NetworkProps`. */
  readonly network?: {
    readonly azCount?: number;
    readonly natGateways?: NatGatewayMode;
    readonly cidrBlock?: string;
  };
  /** See `PetFargateServiceProps`. */
  readonly service?: {
    readonly cpu?: number;
    readonly memory?: number;
    readonly desiredCount?: number;
    readonly autoscaling?: CpuAutoscaling;
    readonly logRetentionDays?: number;
    readonly cpuArchitecture?: 'X86_64' | 'ARM64';
  };
  /** See `PetTableProps`. */
  readonly table?: { readonly deletionProtection?: boolean };
  /** See `PetHttpApiProps`. */
  readonly api?: {
    readonly throttlingRateLimit?: number;
    readonly throttlingBurstLimit?: number;
    readonly accessLogRetentionDays?: number;
  };
  /** See `UserAuthProps`. */
  readonly auth?: {
    readonly allowPasswordAuth?: boolean;
    readonly selfSignUp?: boolean;
    readonly deletionProtection?: boolean;
  };
}

/** The environments `main.ts` synthesizes, one stack each. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [
  {
    // The original design: one AZ, one NAT gateway, one task.
    name: 'dev',
    region: 'us-east-1',
    // Scripted clients and the smoke test sign in with a password.
    auth: { allowPasswordAuth: true },
  },
];

/** Settings read from the process environment rather than from code. */
export interface DeploySettings {
  /** Image tag the service runs: the commit SHA in CI. From `IMAGE_TAG`. @default 'latest' */
  readonly imageTag: string;
}

export function readDeploySettings(env: NodeJS.ProcessEnv): DeploySettings {
  const imageTag = env.IMAGE_TAG ?? 'latest';
  requireMatch(
    'IMAGE_TAG',
    imageTag,
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    'a Docker tag: letters, digits, _ . - (at most 128)',
  );
  return { imageTag };
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Checks what the constructs cannot: the environment set as a whole. Construct props are checked by the constructs. */
export function validateEnvironments(environments: readonly EnvironmentConfig[]): void {
  const seen = new Set<string>();
  environments.forEach((environment, index) => {
    const at = `environments[${index}]`;
    requireMatch(
      `${at}.name`,
      environment.name,
      /^[a-z][a-z0-9-]{0,15}$/,
      'lowercase letters, digits and -, starting with a letter, at most 16',
    );
    requireMatch(`${at}.region`, environment.region, REGION, 'an AWS region code such as us-east-1');
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

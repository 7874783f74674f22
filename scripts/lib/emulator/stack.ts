import { EMULATED_SERVICES } from '../../../constructs/emulator-target';
import { isRecord } from '../json';

/** A synthesized stack's `cdk.tf.json`, as far as the emulator changes it. */
export type TerraformJson = Record<string, unknown>;

export { EMULATED_SERVICES };

export interface EmulatorTarget {
  /** The emulator's endpoint, for every service. */
  readonly endpoint: string;
  /** The hashicorp/aws version that is installed (the mirror's), in place of the pinned one. */
  readonly awsProviderVersion: string;
  /** Where the local backend keeps this stack's state. */
  readonly statePath: string;
}

/**
 * The stack as the emulator can apply it, for tools that apply a synthesized stack with Terraform itself
 * (`npm run local`, `npm run fixtures:plans`); the cdktf commands get the same from the app
 * (constructs/emulator-target.ts). This is the whole list of what changes, and nothing else may:
 * - the AWS provider's version constraint, to the installed version;
 * - the provider's credentials, endpoints and retries, for the emulator;
 * - the backend: local, at `statePath`;
 * - `wait_for_steady_state` off on ECS services: the emulator runs no tasks.
 * `rehearsalChanges` lists the changes made, so a test can hold this function to that list.
 */
export function forEmulator(config: TerraformJson, target: EmulatorTarget): TerraformJson {
  const copy = structuredClone(config);
  const terraform = record(copy, 'terraform');
  const providers = record(terraform, 'required_providers');
  record(providers, 'aws').version = target.awsProviderVersion;
  terraform.backend = { local: { path: target.statePath } };

  const awsProviders = record(copy, 'provider').aws;
  if (!Array.isArray(awsProviders) || awsProviders.length === 0)
    throw new Error('the stack has no aws provider');
  for (const provider of awsProviders) {
    Object.assign(provider, {
      access_key: 'test',
      secret_key: 'test',
      skip_credentials_validation: true,
      skip_metadata_api_check: 'true',
      skip_requesting_account_id: false,
      s3_use_path_style: true,
      // Three attempts, not the default 25: an emulator gap (a call it lacks) fails in seconds, while a
      // connection the emulator's server dropped under load is still tried again.
      max_retries: 3,
      endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, target.endpoint]))],
    });
  }

  const services = isRecord(copy.resource) ? copy.resource.aws_ecs_service : undefined;
  if (isRecord(services)) {
    for (const service of Object.values(services)) {
      if (isRecord(service) && 'wait_for_steady_state' in service) service.wait_for_steady_state = false;
    }
  }
  return copy;
}

/** The JSON paths at which two stack configurations differ, e.g. `provider.aws.0.endpoints`. */
export function rehearsalChanges(before: unknown, after: unknown, at = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const bothObjects =
    (isRecord(before) && isRecord(after)) || (Array.isArray(before) && Array.isArray(after));
  if (!bothObjects) return [at];
  const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
  return [...keys].flatMap((key) =>
    rehearsalChanges(
      (before as Record<string, unknown>)[key],
      (after as Record<string, unknown>)[key],
      at ? `${at}.${key}` : key,
    ),
  );
}

function record(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  if (!isRecord(value)) throw new Error(`the stack has no "${key}" object`);
  return value;
}

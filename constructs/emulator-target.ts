import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  AssetType,
  LocalBackend,
  TerraformAsset,
  TerraformResource,
  type TerraformStack,
  TerraformVariable,
} from 'cdktf';

/**
 * Where a rehearsal or a local run applies the stacks instead of AWS: an emulator (moto) on this machine.
 * `main.ts` reads it from `EMULATOR_ENDPOINT` and `EMULATOR_AWS_PROVIDER_VERSION` at synth time, so that
 * every cdktf command (`deploy`, `diff`, `output`, `destroy`) works on the emulator's stacks unchanged.
 */
export interface EmulatorTarget {
  /** Every AWS service at one endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** The hashicorp/aws version installed beside the emulator (a mirror), in place of the pinned one. @default - the pin */
  readonly awsProviderVersion?: string;
}

const EMULATOR_PROFILE = 'emulator';

/**
 * The AWS provider's settings for the emulator, in Terraform's JSON. Every service reaches the emulator
 * through the `endpoint_url` of a profile in `configFile` (an AWS config file), not through the provider's
 * `endpoints` block: with hashicorp/aws 5.100 that block alone costs about 3 CPU-seconds each time
 * Terraform validates the provider's configuration, two or three times in every command.
 */
function emulatorProviderSettings(configFile: string): Record<string, unknown> {
  return {
    access_key: 'test',
    secret_key: 'test',
    skip_credentials_validation: true,
    skip_metadata_api_check: 'true',
    s3_use_path_style: true,
    // Three attempts, not the default 25: an emulator gap fails in seconds, a dropped connection is retried.
    max_retries: 3,
    shared_config_files: [configFile],
    profile: EMULATOR_PROFILE,
  };
}

/**
 * An AWS config file whose profile sends every service to `endpoint`, shipped with the stack as an asset:
 * its path is relative to the stack's directory, where Terraform runs.
 */
function emulatorConfigFile(stack: TerraformStack, endpoint: string): string {
  const file = path.join(tmpdir(), `petstore-emulator-${endpoint.replace(/\W+/g, '-')}.aws-config`);
  writeFileSync(file, `[profile ${EMULATOR_PROFILE}]\nendpoint_url = ${endpoint}\n`);
  return new TerraformAsset(stack, 'EmulatorAwsConfig', { path: file, type: AssetType.FILE }).path;
}

/**
 * Attributes that moto 5.2 does not read back as they were written. On the emulator they are
 * `ignore_changes`, so a plan right after an apply is empty; anything else a second plan shows is a
 * perpetual diff, to be fixed in the constructs.
 */
export const EMULATOR_DIFFERENCES: readonly { type: string; attribute: string; reason: string }[] = [
  {
    type: 'aws_vpc_security_group_ingress_rule',
    attribute: 'description',
    reason: 'moto drops the description of a rule that references a security group when it describes it',
  },
  {
    type: 'aws_vpc_security_group_egress_rule',
    attribute: 'description',
    reason: 'moto drops the description of a rule that references a security group when it describes it',
  },
  {
    type: 'aws_cognito_user_pool',
    attribute: 'user_pool_tier',
    reason: 'moto has no user pool tiers: the tier reads back empty',
  },
  {
    type: 'aws_config_config_rule',
    attribute: 'scope',
    reason: "moto keeps a rule's tag scope but reads back no TagKey or TagValue",
  },
  {
    type: 'aws_ecs_service',
    attribute: 'availability_zone_rebalancing',
    reason: 'moto does not keep availabilityZoneRebalancing: it reads back unset',
  },
];

/** Deletion protection per resource type: the attribute and its value when off. */
export const DELETION_PROTECTION: readonly { type: string; attribute: string; off: unknown }[] = [
  { type: 'aws_dynamodb_table', attribute: 'deletion_protection_enabled', off: false },
  { type: 'aws_cognito_user_pool', attribute: 'deletion_protection', off: 'INACTIVE' },
];

/**
 * Points one stack at the emulator. This is the whole list of what changes:
 * - the AWS provider's version constraint (to the installed one), credentials, endpoint (a profile) and retries;
 * - the backend: local, `terraform.tfstate` in the synthesized stack's directory;
 * - `wait_for_steady_state` off on ECS services: the emulator runs no tasks;
 * - `force_delete` on image repositories, which the rehearsal fills with a throwaway image;
 * - `ignore_changes` on the `EMULATOR_DIFFERENCES`;
 * - deletion protection follows the Terraform variable `emulator_teardown` (default false): an operator
 *   turns protection off before a destroy, here `cdktf deploy <stack> --var emulator_teardown=true`.
 */
export function targetEmulator(stack: TerraformStack, target: EmulatorTarget): void {
  if (target.awsProviderVersion) {
    stack.addOverride('terraform.required_providers.aws.version', target.awsProviderVersion);
  }
  stack.addOverride('terraform.backend', { local: {} });
  // The state stays beside the synthesized stack (the output directory the emulator's run chose), never
  // beside the project's own local state files.
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const settings = emulatorProviderSettings(emulatorConfigFile(stack, target.endpoint));
  let teardown: TerraformVariable | undefined;
  for (const node of stack.node.findAll()) {
    if (node instanceof AwsProvider) {
      for (const [key, value] of Object.entries(settings)) node.addOverride(key, value);
    }
    if (node instanceof EcsService) node.waitForSteadyState = false;
    // The rehearsal's images are throwaway; a real repository keeps its images from a destroy.
    if (node instanceof EcrRepository) node.forceDelete = true;
    if (!(node instanceof TerraformResource)) continue;
    const ignored = EMULATOR_DIFFERENCES.filter(
      (difference) => difference.type === node.terraformResourceType,
    );
    if (ignored.length > 0) {
      const current = node.lifecycle?.ignoreChanges;
      const existing = Array.isArray(current) ? current : [];
      node.lifecycle = {
        ...node.lifecycle,
        ignoreChanges: [...existing, ...ignored.map((difference) => difference.attribute)],
      };
    }
    for (const protection of DELETION_PROTECTION.filter((p) => p.type === node.terraformResourceType)) {
      const synthesized = node.toTerraform() as {
        resource: Record<string, Record<string, Record<string, unknown>>>;
      };
      const on = synthesized.resource[protection.type]?.[node.friendlyUniqueId]?.[protection.attribute];
      if (on === undefined || on === protection.off) continue;
      teardown ??= new TerraformVariable(stack, 'emulator_teardown', {
        type: 'bool',
        default: false,
        description: 'Deletion protection off, before a destroy on the emulator',
      });
      node.addOverride(
        protection.attribute,
        `\${${teardown.fqn} ? ${JSON.stringify(protection.off)} : ${JSON.stringify(on)}}`,
      );
    }
  }
}

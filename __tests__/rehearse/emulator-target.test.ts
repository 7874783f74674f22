import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Testing } from 'cdktf';
import { BOOTSTRAP_STACK_NAME, PetStoreBootstrapStack } from '../../constructs/bootstrap-stack';
import { stackName } from '../../constructs/config';
import { EMULATOR_DIFFERENCES, targetEmulator } from '../../constructs/emulator-target';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { BOOTSTRAP, ENVIRONMENTS } from '../../environments';

// biome-ignore lint/suspicious/noExplicitAny: the synthesized JSON is read by path, as a test does
type Json = Record<string, any>;

/** The real synthesized JSON of an environment's stack, as is and pointed at the emulator. */
function synthesize(name: string): { real: Json; emulated: Json } {
  const environment = ENVIRONMENTS.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`no environment ${name}`);
  const build = () =>
    new PetStoreStack(Testing.app(), stackName(environment), { environment, imageTag: 'abc123' });
  const emulated = build();
  targetEmulator(emulated, { endpoint: 'http://127.0.0.1:5000', awsProviderVersion: '5.100.0' });
  return { real: JSON.parse(Testing.synth(build())), emulated: JSON.parse(Testing.synth(emulated)) };
}

/** The bootstrap stack with AWS Config on, as is and pointed at the emulator. */
function synthesizeBootstrap(): { real: Json; emulated: Json } {
  const build = () =>
    new PetStoreBootstrapStack(Testing.app(), BOOTSTRAP_STACK_NAME, {
      bootstrap: { ...BOOTSTRAP, awsConfig: { enabled: true } },
      environments: ENVIRONMENTS,
    });
  const emulated = build();
  targetEmulator(emulated, { endpoint: 'http://127.0.0.1:5000', awsProviderVersion: '5.100.0' });
  return { real: JSON.parse(Testing.synth(build())), emulated: JSON.parse(Testing.synth(emulated)) };
}

describe('targetEmulator (EMULATOR_ENDPOINT at synth)', () => {
  test.each(['dev', 'prod'])('changes only what its list names (%s)', (name) => {
    const { real, emulated } = synthesize(name);
    const allowed = [
      /^terraform\.required_providers\.aws\.version$/,
      /^terraform\.backend(\.|$)/,
      /^provider\.aws\.0\.(access_key|secret_key|skip_credentials_validation|skip_metadata_api_check|s3_use_path_style|max_retries|shared_config_files|profile)$/,
      /^resource\.aws_ecs_service\.[^.]+\.wait_for_steady_state$/,
      /^resource\.(aws_vpc_security_group_(ingress|egress)_rule|aws_cognito_user_pool|aws_ecs_service)\.[^.]+\.lifecycle(\.|$)/,
      /^resource\.aws_dynamodb_table\.[^.]+\.deletion_protection_enabled$/,
      /^resource\.aws_cognito_user_pool\.[^.]+\.deletion_protection$/,
      /^variable\.emulator_teardown$/,
    ];
    const changed = rehearsalChanges(real, emulated);
    expect(changed.filter((path) => !allowed.some((pattern) => pattern.test(path)))).toEqual([]);
    expect(emulated.terraform.required_providers.aws.version).toBe('5.100.0');
    expect(emulated.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    const [provider] = emulated.provider.aws;
    expect(provider.profile).toBe('emulator');
    expect(provider.region).toBe('us-east-1');
  });

  test('every service reaches the emulator through a profile in an AWS config file shipped with the stack', () => {
    const environment = ENVIRONMENTS.find((candidate) => candidate.name === 'dev');
    if (!environment) throw new Error('no environment dev');
    const stack = new PetStoreStack(Testing.app(), stackName(environment), {
      environment,
      imageTag: 'abc123',
    });
    targetEmulator(stack, { endpoint: 'http://127.0.0.1:5000' });
    const directory = path.join(Testing.fullSynth(stack), 'stacks', stackName(environment));
    const [provider] = JSON.parse(readFileSync(path.join(directory, 'cdk.tf.json'), 'utf8')).provider.aws;
    // No `endpoints` block: with it every validation of the provider's configuration costs seconds.
    expect(provider).not.toHaveProperty('endpoints');
    expect(provider.shared_config_files).toHaveLength(1);
    // Relative to the stack's directory, where Terraform runs, so the stack can be moved or copied.
    const configFile = path.join(directory, provider.shared_config_files[0]);
    expect(readFileSync(configFile, 'utf8')).toBe(
      `[profile ${provider.profile}]\nendpoint_url = http://127.0.0.1:5000\n`,
    );
  });

  test("ignores exactly the attributes moto does not read back, keeping a resource's own ignore_changes", () => {
    const stacks = [synthesize('prod'), synthesizeBootstrap()];
    for (const { type, attribute } of EMULATOR_DIFFERENCES) {
      // Every listed type is in one of these stacks, so that no entry goes unchecked.
      expect(stacks.some(({ emulated }) => emulated.resource[type] !== undefined)).toBe(true);
      for (const { real, emulated } of stacks) {
        for (const [id, body] of Object.entries((emulated.resource[type] ?? {}) as Json)) {
          const own = real.resource[type][id].lifecycle?.ignore_changes ?? [];
          expect(body.lifecycle.ignore_changes).toEqual([...own, attribute]);
        }
      }
    }
    // prod's ECS service already ignores desired_count (autoscaling owns it).
    const [service] = Object.values(stacks[0]?.emulated.resource.aws_ecs_service as Json);
    expect(service.lifecycle.ignore_changes).toEqual(['desired_count', 'availability_zone_rebalancing']);
    expect(service.wait_for_steady_state).toBe(false);
  });

  test('deletion protection follows the emulator_teardown variable where it is on, and only there', () => {
    const prod = synthesize('prod').emulated;
    expect(prod.variable.emulator_teardown).toMatchObject({ type: 'bool', default: false });
    for (const table of Object.values(prod.resource.aws_dynamodb_table as Json)) {
      expect(table.deletion_protection_enabled).toBe(`\${var.emulator_teardown ? false : true}`);
    }
    const [pool] = Object.values(prod.resource.aws_cognito_user_pool as Json);
    expect(pool.deletion_protection).toBe(`\${var.emulator_teardown ? "INACTIVE" : "ACTIVE"}`);

    const dev = synthesize('dev').emulated;
    expect(dev.variable).not.toHaveProperty('emulator_teardown');
    for (const table of Object.values(dev.resource.aws_dynamodb_table as Json)) {
      expect(table.deletion_protection_enabled).toBe(false);
    }
  });
});

/** The JSON paths at which two stack configurations differ, e.g. `provider.aws.0.profile`. */
function rehearsalChanges(before: unknown, after: unknown, at = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null;
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) return [at];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].flatMap((key) => rehearsalChanges(before[key], after[key], at ? `${at}.${key}` : key));
}

import { Testing } from 'cdktf';
import { stackName } from '../../constructs/config';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { ENVIRONMENTS } from '../../environments';
import { EMULATED_SERVICES, forEmulator, rehearsalChanges } from '../../scripts/lib/emulator/stack';

/** The real synthesized JSON of each environment's stack, as cdktf writes it to cdk.tf.json. */
function synthesize(name: string): Record<string, unknown> {
  const environment = ENVIRONMENTS.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`no environment ${name}`);
  const stack = new PetStoreStack(Testing.app(), stackName(environment), { environment, imageTag: 'abc123' });
  return JSON.parse(Testing.synth(stack));
}

const target = {
  endpoint: 'http://127.0.0.1:5000',
  awsProviderVersion: '5.100.0',
  statePath: '/tmp/x.tfstate',
};

describe('forEmulator', () => {
  test.each(['dev', 'prod'])(
    'changes only the provider version, its credentials/endpoints/retries, the backend and steady-state waits (%s)',
    (name) => {
      const synthesized = synthesize(name);
      const prepared = forEmulator(synthesized, target);
      const changed = rehearsalChanges(synthesized, prepared);
      const allowed = [
        /^terraform\.required_providers\.aws\.version$/,
        /^terraform\.backend(\.|$)/,
        /^provider\.aws\.0\.(access_key|secret_key|skip_credentials_validation|skip_metadata_api_check|skip_requesting_account_id|s3_use_path_style|max_retries|endpoints)$/,
        /^resource\.aws_ecs_service\.[^.]+\.wait_for_steady_state$/,
      ];
      expect(changed.filter((path) => !allowed.some((pattern) => pattern.test(path)))).toEqual([]);
      // One ECS service, eight provider settings, the version, and the backend (local, or S3 swapped for it).
      expect(changed.filter((path) => path.startsWith('provider.'))).toHaveLength(8);
      expect(changed.filter((path) => path.startsWith('resource.'))).toEqual([
        expect.stringMatching(/^resource\.aws_ecs_service\..+\.wait_for_steady_state$/),
      ]);
      expect(changed).toContain('terraform.required_providers.aws.version');
    },
  );

  test('points every service at the emulator and sets a low retry count, leaving the input untouched', () => {
    const synthesized = synthesize('dev');
    const before = JSON.stringify(synthesized);
    const prepared = forEmulator(synthesized, target) as { provider: { aws: Record<string, unknown>[] } };
    const [provider] = prepared.provider.aws;
    expect(provider?.endpoints).toEqual([
      Object.fromEntries(EMULATED_SERVICES.map((service) => [service, target.endpoint])),
    ]);
    expect(provider?.max_retries).toBe(3);
    expect(provider?.region).toBe('us-east-1');
    expect(JSON.stringify(synthesized)).toBe(before);
  });

  test('keeps the state local, in the place given', () => {
    const prepared = forEmulator(synthesize('dev'), target) as { terraform: Record<string, unknown> };
    expect(prepared.terraform.backend).toEqual({ local: { path: target.statePath } });
  });
});

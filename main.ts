import { App, type TerraformStack } from 'cdktf';
import { BOOTSTRAP_STACK_NAME, PetStoreBootstrapStack } from './constructs/bootstrap-stack';
import {
  BOOTSTRAP,
  ENVIRONMENTS,
  readDeploySettings,
  stackName,
  validateBootstrap,
  validateEnvironments,
} from './constructs/config';
import { type EmulatorTarget, targetEmulator } from './constructs/emulator-target';
import { PetStoreStack } from './constructs/pet-store-stack';
import { ConfigError, requireMatch } from './constructs/validation';

/**
 * `EMULATOR_ENDPOINT` (a loopback URL) points every stack at an AWS emulator instead of AWS, with
 * `EMULATOR_AWS_PROVIDER_VERSION` (the mirror's hashicorp/aws). `npm run rehearse` and `npm run local`
 * set them; see docs/local.md.
 */
function readEmulatorTarget(env: NodeJS.ProcessEnv): EmulatorTarget | undefined {
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

function synth(): void {
  validateEnvironments(ENVIRONMENTS);
  validateBootstrap(BOOTSTRAP);
  const emulator = readEmulatorTarget(process.env);
  const settings = readDeploySettings(process.env);
  // The emulator's state stays beside its synthesized stacks, never in the team's bucket.
  const remoteState = emulator ? undefined : settings.remoteState;

  const app = new App();
  const stacks: TerraformStack[] = ENVIRONMENTS.map(
    (environment) =>
      new PetStoreStack(app, stackName(environment), {
        environment,
        imageTag: settings.imageTag,
        remoteState,
      }),
  );
  stacks.push(
    new PetStoreBootstrapStack(app, BOOTSTRAP_STACK_NAME, {
      bootstrap: BOOTSTRAP,
      environments: ENVIRONMENTS,
      remoteState,
    }),
  );
  if (emulator) for (const stack of stacks) targetEmulator(stack, emulator);
  app.synth();
}

try {
  synth();
} catch (error) {
  // A configuration mistake is the operator's: its message says what to fix, once; a stack trace into
  // the bundle would not help.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}

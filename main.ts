import { App, type TerraformStack } from 'cdktf';
import { BOOTSTRAP_STACK_NAME, PetStoreBootstrapStack } from './constructs/bootstrap-stack';
import { stackName, validateBootstrap, validateEnvironments } from './constructs/config';
import { targetEmulator } from './constructs/emulator-target';
import { PetStoreStack } from './constructs/pet-store-stack';
import { ConfigError } from './constructs/validation';
import { BOOTSTRAP, ENVIRONMENTS, readDeploySettings, readEmulatorTarget } from './environments';

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

import { App } from 'cdktf';
import { BOOTSTRAP_STACK_NAME, PetStoreBootstrapStack } from './constructs/bootstrap-stack';
import {
  BOOTSTRAP,
  ENVIRONMENTS,
  readDeploySettings,
  stackName,
  validateEnvironments,
} from './constructs/config';
import { PetStoreStack } from './constructs/pet-store-stack';
import { ConfigError } from './constructs/validation';

function synth(): void {
  const settings = readDeploySettings(process.env);
  validateEnvironments(ENVIRONMENTS);

  const app = new App();
  for (const environment of ENVIRONMENTS) {
    new PetStoreStack(app, stackName(environment), {
      environment,
      imageTag: settings.imageTag,
      remoteState: settings.remoteState,
    });
  }
  new PetStoreBootstrapStack(app, BOOTSTRAP_STACK_NAME, {
    bootstrap: BOOTSTRAP,
    environments: ENVIRONMENTS,
    remoteState: settings.remoteState,
  });
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

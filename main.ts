import { App } from 'cdktf';
import { ENVIRONMENTS, readDeploySettings, validateEnvironments } from './constructs/config';
import { PetStoreStack } from './constructs/pet-store-stack';

const settings = readDeploySettings(process.env);
validateEnvironments(ENVIRONMENTS);

const app = new App();
for (const environment of ENVIRONMENTS) {
  new PetStoreStack(app, `petstore-${environment.name}`, {
    environment,
    imageTag: settings.imageTag,
    remoteState: settings.remoteState,
  });
}
app.synth();

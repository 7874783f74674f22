// The options of issue 17 as an environment names them: the keys, their errors and the stack's outputs.
import { Testing } from 'cdktf';
import { type EnvironmentConfig, stackName, validateEnvironments } from '../../constructs/config';
import { PetStoreStack } from '../../constructs/pet-store-stack';
import { ENVIRONMENTS } from '../../environments';
import { ref } from './support';

const dev = ENVIRONMENTS.find((environment) => environment.name === 'dev') as EnvironmentConfig;
const DOMAIN = { domainName: 'api.dev.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };

function synthStack(environment: EnvironmentConfig) {
  const stack = new PetStoreStack(Testing.app(), stackName(environment), { environment, imageTag: 'abc123' });
  return { stack, outputs: JSON.parse(Testing.synth(stack)).output };
}

describe('environment options', () => {
  test('with a custom domain the API is at https://<domain>, and the turned-off address is an output for the smoke test', () => {
    const { stack, outputs } = synthStack({ ...dev, api: { customDomain: DOMAIN } });
    expect(outputs.api_endpoint.value).toBe('https://api.dev.example.com');
    expect(outputs.pets_url.value).toBe('https://api.dev.example.com/petstore/pets');
    expect(outputs.execute_api_endpoint.value).toBe(ref(stack.api.resource, 'api_endpoint'));
  });

  test('without one, the stack has no execute_api_endpoint output', () => {
    expect(synthStack(dev).outputs).not.toHaveProperty('execute_api_endpoint');
  });

  test.each<[Partial<EnvironmentConfig>, string]>([
    [
      { api: { customDomain: { ...DOMAIN, domainName: 'https://api.example.com' } } },
      "Invalid configuration environments.dev.api: `customDomain.domainName` is 'https://api.example.com'; expected a lowercase host name",
    ],
    [
      { api: { customDomain: { ...DOMAIN, hostedZoneId: '' } } },
      "Invalid configuration environments.dev.api: `customDomain.hostedZoneId` is ''; expected the id of the Route 53 hosted zone",
    ],
    [
      {
        service: {
          capacityProviderStrategy: [
            { capacityProvider: 'FARGATE', weight: 1 },
            { capacityProvider: 'FARGATE', weight: 2 },
          ],
        },
      },
      "Invalid configuration environments.dev.service: `capacityProviderStrategy[1].capacityProvider` is 'FARGATE'; each provider may appear once.",
    ],
    [
      { network: { ...dev.network, natGateways: 'nat-less' as 'none' } },
      "Invalid configuration environments.dev.network: `natGateways` is 'nat-less'; expected one of 'single', 'per-az', 'none'.",
    ],
  ])('a bad option fails synth naming where it is: %j', (override, message) => {
    expect(() => synthStack({ ...dev, ...override })).toThrow(message);
  });

  test.each([
    [
      { api: { customDomain: { domain: 'api.example.com', hostedZoneId: 'Z1' } } },
      'environments.dev.api.customDomain: unknown key `domain`; allowed keys are domainName, hostedZoneId.',
    ],
    [
      { service: { capacityProviderStrategy: [{ provider: 'FARGATE_SPOT', weight: 1 }] } },
      'environments.dev.service.capacityProviderStrategy[0]: unknown key `provider`; allowed keys are capacityProvider, base, weight.',
    ],
  ])('a misspelt key of an option fails, naming its path: %j', (extra, message) => {
    const environment = { ...dev, ...extra } as unknown as EnvironmentConfig;
    expect(() => validateEnvironments([environment])).toThrow(`Invalid configuration ${message}`);
  });
});

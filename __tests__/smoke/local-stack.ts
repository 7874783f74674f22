import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { buildApp } from '../../app/app';
import { createTable, portOf, productionOptions, REGION, startLocalDynamoDb } from '../app/helpers';
import { RECORDED_ACCESS_TOKEN, startFakeCognito } from './fake-cognito';
import { type GatewayStandInOptions, startGatewayStandIn } from './gateway-stand-in';

/** The real pet service, built as production builds it, listening on a loopback port over dynalite. */
export async function startLocalPetService() {
  const dynamodb = await startLocalDynamoDb();
  const app = buildApp(productionOptions(dynamodb.endpoint, await createTable(dynamodb.endpoint)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${portOf(app.server)}`,
    /** Asks the service directly, past the gateway. */
    petStatus: async (petId: string) =>
      (await app.inject({ method: 'GET', url: `/petstore/pets/${petId}` })).statusCode,
    async close() {
      await app.close();
      await dynamodb.close();
    },
  };
}

/** A client of the fake Cognito; the credentials only have to let the SDK sign. */
export function cognitoClientFor(endpoint: string, region = REGION): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
  });
}

/**
 * What a deployed stack puts around the service: the gateway, whose authorizer accepts the recorded
 * access token, and Cognito. `close()` stops both.
 */
export async function startStackStandIns(
  serviceUrl: string,
  options: {
    gateway?: Omit<GatewayStandInOptions, 'acceptedToken'>;
    cognitoResponses?: Record<string, string>;
  } = {},
) {
  const gateway = await startGatewayStandIn(serviceUrl, {
    acceptedToken: RECORDED_ACCESS_TOKEN,
    ...options.gateway,
  });
  const cognito = await startFakeCognito(options.cognitoResponses);
  return {
    gateway,
    cognito,
    petsUrl: `${gateway.url}/petstore/pets`,
    async close() {
      await gateway.close();
      await cognito.close();
    },
  };
}

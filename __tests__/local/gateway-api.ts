/** The HTTP API the local gateway tests serve, as loadHttpApi reads it from API Gateway. */
import type { HttpApi, Route } from '../../scripts/local/http-api';

export const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool';
export const CLIENT_ID = 'app-client';
export const WRITE_SCOPE = 'petstore/pets.write';
export const SERVICE_ARN = 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-test';

const routes: Route[] = [
  {
    routeKey: 'GET /petstore/pets',
    authorizationType: 'NONE',
    authorizationScopes: [],
    target: 'integrations/i1',
  },
  {
    routeKey: 'GET /petstore/pets/{petId}',
    authorizationType: 'NONE',
    authorizationScopes: [],
    target: 'integrations/i1',
  },
  {
    routeKey: 'POST /petstore/pets/{petId}',
    authorizationType: 'JWT',
    authorizerId: 'a1',
    authorizationScopes: [WRITE_SCOPE],
    target: 'integrations/i1',
  },
  {
    routeKey: 'DELETE /petstore/pets/{petId}',
    authorizationType: 'JWT',
    authorizerId: 'a1',
    authorizationScopes: [],
    target: 'integrations/i1',
  },
];

export const api: HttpApi = {
  id: 'api1',
  name: 'test-api',
  routes,
  authorizers: new Map([
    [
      'a1',
      {
        id: 'a1',
        name: 'cognito',
        identitySource: '$request.header.Authorization',
        issuer: ISSUER,
        audience: [CLIENT_ID],
      },
    ],
  ]),
  integrations: new Map([
    [
      'i1',
      {
        id: 'i1',
        integrationType: 'HTTP_PROXY',
        connectionType: 'VPC_LINK',
        integrationUri: SERVICE_ARN,
        integrationMethod: 'ANY',
        requestParameters: { 'overwrite:header.x-request-id': '$context.requestId' },
        timeoutMillis: 2_000,
      },
    ],
  ]),
  cors: {
    allowOrigins: ['http://localhost:3000'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['authorization', 'content-type'],
    exposeHeaders: ['location'],
    allowCredentials: false,
    maxAge: 600,
  },
};

/** The HTTP API the local gateway tests serve, as loadHttpApi reads it from API Gateway. */
import type { HttpApi, Integration, JwtAuthorizer } from '../../scripts/local/http-api';

export const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool';
export const CLIENT_ID = 'app-client';
export const WRITE_SCOPE = 'petstore/pets.write';
export const SERVICE_ID = 'srv-test';

export const integration: Integration = {
  serviceId: SERVICE_ID,
  headers: { 'x-request-id': '$context.requestId' },
  timeoutMillis: 2_000,
};

const authorizer: JwtAuthorizer = { header: 'authorization', issuer: ISSUER, audience: [CLIENT_ID] };

export const api: HttpApi = {
  routes: [
    { method: 'GET', path: '/petstore/pets', scopes: [], integration },
    { method: 'GET', path: '/petstore/pets/{petId}', scopes: [], integration },
    // A literal segment wins over a variable, as in API Gateway.
    {
      method: 'GET',
      path: '/petstore/pets/mine',
      scopes: [],
      integration: { ...integration, headers: { 'x-route': 'mine, request $context.requestId' } },
    },
    { method: 'POST', path: '/petstore/pets/{petId}', authorizer, scopes: [WRITE_SCOPE], integration },
    { method: 'DELETE', path: '/petstore/pets/{petId}', authorizer, scopes: [], integration },
  ],
  cors: {
    AllowOrigins: ['http://localhost:3000'],
    AllowMethods: ['GET', 'POST'],
    AllowHeaders: ['authorization', 'content-type'],
    ExposeHeaders: ['location'],
    AllowCredentials: false,
    MaxAge: 600,
  },
};

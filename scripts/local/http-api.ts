import {
  type ApiGatewayV2Client,
  type Cors,
  GetApiCommand,
  GetAuthorizerCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  type Integration as IntegrationOutput,
} from '@aws-sdk/client-apigatewayv2';
import { OperatorError } from '../lib/operator-error';

/** A JWT authorizer; `header` is the one its identity source names (`$request.header.Authorization`), in lower case. */
export type JwtAuthorizer = { header: string; issuer: string; audience: string[] };

/**
 * An HTTP_PROXY integration over a VPC link to the Cloud Map service `serviceId` (`srv-…`); `headers` are
 * what its `overwrite:header.<name>` request parameters set (`$context.requestId` is replaced).
 */
export type Integration = { serviceId: string; headers: Record<string, string>; timeoutMillis: number };

/** A route (`path`: literal and `{variable}` segments) and what it requires; a public one has no authorizer. */
export type Route = {
  method: string;
  path: string;
  authorizer?: JwtAuthorizer;
  scopes: string[];
  integration: Integration;
};

/** The HTTP API as deployed: what the local gateway serves. */
export type HttpApi = { routes: Route[]; cors?: Cors };

// What the local gateway serves as API Gateway does; it refuses anything else when it starts.
const ROUTE_KEY = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) ((?:\/(?:[\w.~-]+|\{\w+\}))+)$/;
const SERVICE_ARN = /^arn:[\w-]+:servicediscovery:[\w-]+:\d+:service\/(srv-[\w-]+)$/;
const REQUEST_PARAMETER = /^overwrite:header\.([\w-]+)$/;
const PARAMETER_VALUE = /^(?:[^$]|\$context\.requestId)*$/;
const IDENTITY_SOURCE = /^\$request\.header\.([\w-]+)$/;

/** Reads the API's routes, JWT authorizers, integrations and CORS from API Gateway (the emulator's control plane). */
export async function loadHttpApi(client: ApiGatewayV2Client, apiId: string): Promise<HttpApi> {
  const [api, routes, integrations] = await Promise.all([
    client.send(new GetApiCommand({ ApiId: apiId })),
    client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '500' })),
    client.send(new GetIntegrationsCommand({ ApiId: apiId, MaxResults: '500' })),
  ]);
  const integrationsById = new Map(
    (integrations.Items ?? []).map((integration) => [integration.IntegrationId, toIntegration(integration)]),
  );
  return {
    cors: api.CorsConfiguration,
    routes: await Promise.all(
      (routes.Items ?? []).map(async (route) => {
        const [, method = '', path = ''] = ROUTE_KEY.exec(route.RouteKey ?? '') ?? [];
        const integration = integrationsById.get(route.Target?.replace(/^integrations\//, ''));
        const authorization = route.AuthorizationType ?? 'NONE';
        if (!path || !integration || !['NONE', 'JWT'].includes(authorization))
          throw new OperatorError(
            `route ${route.RouteKey} (${authorization}, target ${route.Target}): the local gateway serves a method and a path of literal and {variable} segments (no $default, ANY or {proxy+}), with no authorization or JWT, and an integration`,
          );
        const authorizer =
          authorization === 'JWT' ? await loadAuthorizer(client, apiId, route.AuthorizerId) : undefined;
        return { method, path, authorizer, scopes: route.AuthorizationScopes ?? [], integration };
      }),
    ),
  };
}

/** One GetAuthorizer per JWT route: moto 5.2 lacks GetAuthorizers. */
async function loadAuthorizer(client: ApiGatewayV2Client, apiId: string, id = ''): Promise<JwtAuthorizer> {
  const authorizer = await client.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: id }));
  const header = IDENTITY_SOURCE.exec(authorizer.IdentitySource?.join() ?? '')?.[1];
  if (authorizer.AuthorizerType !== 'JWT' || !header)
    throw new OperatorError(
      `authorizer ${authorizer.Name} is ${authorizer.AuthorizerType} on ${authorizer.IdentitySource}: the local gateway checks JWT authorizers on one header only`,
    );
  const { Issuer = '', Audience = [] } = authorizer.JwtConfiguration ?? {};
  return { header: header.toLowerCase(), issuer: Issuer, audience: Audience };
}

function toIntegration(integration: IntegrationOutput): Integration {
  const { IntegrationId: id, IntegrationUri: uri = '' } = integration;
  const kind = `${integration.IntegrationType} ${integration.IntegrationMethod} over ${integration.ConnectionType ?? 'INTERNET'}`;
  const serviceId = SERVICE_ARN.exec(uri)?.[1];
  // ANY: each request goes on with its own method.
  if (kind !== 'HTTP_PROXY ANY over VPC_LINK' || !serviceId)
    throw new OperatorError(
      `integration ${id} is ${kind} to ${uri}: the local gateway serves HTTP_PROXY ANY integrations over a VPC link to a Cloud Map service only`,
    );
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(integration.RequestParameters ?? {})) {
    const header = REQUEST_PARAMETER.exec(key)?.[1];
    if (!header || !PARAMETER_VALUE.test(value))
      throw new OperatorError(
        `integration ${id}: request parameter ${key} = ${value} is not one the local gateway maps (overwrite:header.<name> with text and $context.requestId)`,
      );
    headers[header.toLowerCase()] = value;
  }
  // HTTP APIs allow at most 30 s, which is also the default.
  return { serviceId, headers, timeoutMillis: integration.TimeoutInMillis ?? 30_000 };
}

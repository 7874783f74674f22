import {
  type ApiGatewayV2Client,
  GetApiCommand,
  GetAuthorizerCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStagesCommand,
} from '@aws-sdk/client-apigatewayv2';
import { OperatorError } from '../lib/operator-error';

/** A JWT authorizer as the API defines it. */
export interface JwtAuthorizer {
  readonly id: string;
  readonly name: string;
  /** Where the token is, e.g. `$request.header.Authorization`. */
  readonly identitySource: string;
  readonly issuer: string;
  readonly audience: readonly string[];
}

/** A route and what it requires. */
export interface Route {
  /** e.g. `POST /petstore/pets/{petId}`, `ANY /{proxy+}` or `$default`. */
  readonly routeKey: string;
  readonly authorizationType: 'NONE' | 'JWT' | string;
  readonly authorizerId?: string;
  readonly authorizationScopes: readonly string[];
  /** `integrations/<id>` */
  readonly target?: string;
}

/** An HTTP_PROXY integration through a VPC link to a Cloud Map service. */
export interface Integration {
  readonly id: string;
  readonly integrationType: string;
  readonly connectionType?: string;
  /** With a VPC link: the Cloud Map service's ARN. */
  readonly integrationUri: string;
  readonly integrationMethod?: string;
  /** e.g. `{ 'overwrite:header.x-request-id': '$context.requestId' }` */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

export interface CorsConfiguration {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge?: number;
}

/** The HTTP API as deployed: what the local gateway serves. */
export interface HttpApi {
  readonly id: string;
  readonly name: string;
  readonly routes: readonly Route[];
  readonly authorizers: ReadonlyMap<string, JwtAuthorizer>;
  readonly integrations: ReadonlyMap<string, Integration>;
  readonly cors?: CorsConfiguration;
}

/** Reads the API's routes, JWT authorizers, integrations and CORS from API Gateway (the emulator's control plane). */
export async function loadHttpApi(client: ApiGatewayV2Client, apiId: string): Promise<HttpApi> {
  const api = await client.send(new GetApiCommand({ ApiId: apiId }));
  const [routes, integrations, stages] = await Promise.all([
    client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '500' })),
    client.send(new GetIntegrationsCommand({ ApiId: apiId, MaxResults: '500' })),
    client.send(new GetStagesCommand({ ApiId: apiId, MaxResults: '500' })),
  ]);
  // One GetAuthorizer per authorizer the routes use: moto 5.2 lacks GetAuthorizers.
  const authorizerIds = [...new Set((routes.Items ?? []).flatMap((route) => route.AuthorizerId ?? []))];
  const authorizers = await Promise.all(
    authorizerIds.map((id) => client.send(new GetAuthorizerCommand({ ApiId: apiId, AuthorizerId: id }))),
  );
  if (!(stages.Items ?? []).some((stage) => stage.StageName === '$default')) {
    throw new OperatorError(`API ${apiId} has no $default stage: the local gateway serves only that one`);
  }
  const cors = api.CorsConfiguration;
  return {
    id: apiId,
    name: api.Name ?? apiId,
    routes: (routes.Items ?? []).map((route) => ({
      routeKey: route.RouteKey ?? '',
      authorizationType: route.AuthorizationType ?? 'NONE',
      authorizerId: route.AuthorizerId,
      authorizationScopes: route.AuthorizationScopes ?? [],
      target: route.Target,
    })),
    authorizers: new Map(
      authorizers.map((authorizer) => {
        if (authorizer.AuthorizerType !== 'JWT') {
          throw new OperatorError(
            `authorizer ${authorizer.Name} is ${authorizer.AuthorizerType}: the local gateway checks JWT authorizers only`,
          );
        }
        const id = authorizer.AuthorizerId ?? '';
        return [
          id,
          {
            id,
            name: authorizer.Name ?? id,
            identitySource: authorizer.IdentitySource?.[0] ?? '$request.header.Authorization',
            issuer: authorizer.JwtConfiguration?.Issuer ?? '',
            audience: authorizer.JwtConfiguration?.Audience ?? [],
          },
        ];
      }),
    ),
    integrations: new Map(
      (integrations.Items ?? []).map((integration) => {
        const id = integration.IntegrationId ?? '';
        return [
          id,
          {
            id,
            integrationType: integration.IntegrationType ?? '',
            connectionType: integration.ConnectionType,
            integrationUri: integration.IntegrationUri ?? '',
            integrationMethod: integration.IntegrationMethod,
            requestParameters: integration.RequestParameters ?? {},
            // HTTP APIs allow at most 30 s, which is also the default.
            timeoutMillis: integration.TimeoutInMillis ?? 30_000,
          },
        ];
      }),
    ),
    cors: cors
      ? {
          allowOrigins: cors.AllowOrigins ?? [],
          allowMethods: (cors.AllowMethods ?? []).map((method) => method.toUpperCase()),
          allowHeaders: (cors.AllowHeaders ?? []).map((header) => header.toLowerCase()),
          exposeHeaders: cors.ExposeHeaders ?? [],
          allowCredentials: cors.AllowCredentials ?? false,
          maxAge: cors.MaxAge,
        }
      : undefined,
  };
}

/** The route API Gateway picks for a request, with its path parameters; undefined means 404. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/').slice(1);
  const candidates: { route: Route; pathParameters: Record<string, string>; rank: number[] }[] = [];
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [routeMethod = '', routePath = ''] = route.routeKey.split(' ');
    if (routeMethod !== 'ANY' && routeMethod !== method) continue;
    const matched = matchPath(routePath.split('/').slice(1), segments);
    if (!matched) continue;
    // Most specific first: more literal segments, no greedy variable, an exact method over ANY.
    candidates.push({
      route,
      pathParameters: matched.parameters,
      rank: [matched.literals, matched.greedy ? 0 : 1, routeMethod === 'ANY' ? 0 : 1],
    });
  }
  candidates.sort((a, b) => compareRanks(b.rank, a.rank));
  const best = candidates[0];
  if (best) return { route: best.route, pathParameters: best.pathParameters };
  const fallback = routes.find((route) => route.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function matchPath(
  pattern: readonly string[],
  segments: readonly string[],
): { parameters: Record<string, string>; literals: number; greedy: boolean } | undefined {
  const parameters: Record<string, string> = {};
  let literals = 0;
  for (let index = 0; index < pattern.length; index += 1) {
    const part = pattern[index] ?? '';
    const greedy = /^\{(\w+)\+\}$/.exec(part);
    if (greedy) {
      // A greedy variable takes the rest of the path, at least one segment, and must come last.
      if (index !== pattern.length - 1 || segments.length <= index) return undefined;
      parameters[greedy[1] as string] = segments.slice(index).join('/');
      return { parameters, literals, greedy: true };
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const variable = /^\{(\w+)\}$/.exec(part);
    if (variable) {
      if (segment === '') return undefined;
      parameters[variable[1] as string] = segment;
    } else if (part === segment) {
      literals += 1;
    } else {
      return undefined;
    }
  }
  return segments.length === pattern.length ? { parameters, literals, greedy: false } : undefined;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < a.length; index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

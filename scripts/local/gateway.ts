import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { Cors } from '@aws-sdk/client-apigatewayv2';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Endpoint } from './cloud-map';
import type { HttpApi, JwtAuthorizer, Route } from './http-api';

export type GatewayOptions = {
  api: HttpApi;
  /** Where an issuer's keys are served (the emulator stands in for Cognito's host). */
  jwksUrl: (issuer: string) => URL;
  /** The tasks behind a Cloud Map service (by id). */
  endpoints: (serviceId: string) => Promise<Endpoint[]>;
  port: number;
};

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** The HTTP API quota on a request's line and headers together. */
export const MAX_REQUEST_HEAD_BYTES = 10_240;

// Hop-by-hop headers (RFC 9110 §7.6.1) are the gateway's own, never forwarded; Host is the task's.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** RSA only, as API Gateway: it refuses HMAC and EC tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** API Gateway's error descriptions, by jose's error code or the claim that failed. */
const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWKS_NO_MATCHING_KEY: 'the token has no kid matching the issuer keys',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature is invalid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token is not signed with an RSA algorithm',
  exp: 'the token has no expiration',
  iss: 'the token does not have a valid issuer',
  nbf: 'the token is not valid yet',
};

/**
 * A stand-in for the HTTP API's data plane, which the emulator lacks: it serves the API as deployed
 * (routes, JWT authorizers, integration request parameters, CORS) and sends each request to a task found
 * in Cloud Map, answering in API Gateway's words where API Gateway answers itself. Node answers a request
 * that is not HTTP (400) or whose headers pass its own 16 KiB limit (431) before any of this runs.
 */
export async function startGateway(options: GatewayOptions) {
  // One key set per issuer: jose fetches its JWKS when first needed, and again for a kid it lacks.
  const keySets: Record<string, JWTVerifyGetKey> = {};
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    // Like API Gateway's own ids: 10 random bytes, base64.
    const requestId = randomBytes(10).toString('base64');
    response.setHeader('apigw-requestid', requestId);
    // The quota (http-api-quotas.html): AWS documents it, not its answer; 431 says what is wrong.
    if (requestHeadBytes(request) > MAX_REQUEST_HEAD_BYTES)
      return answer(response, 431, 'Request Header Fields Too Large');
    // RFC 9112 §3.2: more than one Host field is a 400.
    if ((request.headersDistinct.host?.length ?? 0) > 1) return answer(response, 400, 'Bad Request');
    if (options.api.cors && handleCors(options.api.cors, request, response)) return;

    const url = new URL(request.url ?? '/', 'http://gateway');
    const route = matchRoute(options.api.routes, request.method ?? 'GET', url.pathname);
    if (!route) return answer(response, 404, 'Not Found');
    if (route.authorizer) {
      const { header, issuer } = route.authorizer;
      keySets[issuer] ??= createRemoteJWKSet(options.jwksUrl(issuer));
      const token = request.headersDistinct[header]?.[0];
      const denial = await authorize(route.authorizer, route.scopes, keySets[issuer], token);
      if (denial) {
        response.setHeader('www-authenticate', denial.wwwAuthenticate);
        return answer(response, denial.status, denial.status === 401 ? 'Unauthorized' : 'Forbidden');
      }
    }
    const { serviceId, timeoutMillis: timeout } = route.integration;
    const endpoints = await options.endpoints(serviceId).catch(() => []);
    const endpoint = endpoints[Math.floor(Math.random() * endpoints.length)];
    if (!endpoint) return answer(response, 503, 'Service Unavailable');

    const headers = withoutHopByHop(request.headers);
    headers.host = `${endpoint.host}:${endpoint.port}`;
    const forwardedFor = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean);
    headers['x-forwarded-for'] = forwardedFor.join(', ');
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-port'] = String(request.socket.localPort);
    for (const [name, value] of Object.entries(route.integration.headers))
      headers[name] = value.replaceAll('$context.requestId', requestId);
    const path = `${url.pathname}${url.search}`;
    const upstreamOptions = { ...endpoint, method: request.method, path, headers, timeout };
    const upstream = http.request(upstreamOptions, (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, withoutHopByHop(upstreamResponse.headers));
      // A task that drops the connection mid-answer: the client's connection is cut too.
      pipeline(upstreamResponse, response).catch(() => {});
    });
    let timedOut = false;
    upstream.on('timeout', () => {
      timedOut = true;
      upstream.destroy();
    });
    upstream.on('error', () => {
      // API Gateway answers itself when the task refuses or drops the connection (503) or is too slow (504).
      if (response.headersSent) response.destroy();
      else answer(response, timedOut ? 504 : 503, 'Service Unavailable');
    });
    request.pipe(upstream);
  };
  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) answer(response, 500, 'Internal Server Error');
      else response.destroy();
    });
  });
  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Why API Gateway's JWT authorizer refuses the token in `header` (the identity source's value); undefined
 * when it lets it through (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
 * the token with or without `Bearer `; its signature against the issuer's JWKS (`kid` must name a key
 * there); `iss`; `aud`, or `client_id` when there is no `aud`; `exp`, `nbf` and `iat`; and at least one
 * of the route's scopes in `scope` or `scp`. API Gateway reads no `token_use`: what keeps ID tokens off a
 * route is requiring a scope, which ID tokens never carry.
 */
async function authorize(jwt: JwtAuthorizer, scopes: string[], keys: JWTVerifyGetKey, header?: string) {
  const token = header?.trim().replace(/^bearer\s+/i, '');
  if (!token) return deny(401, 'invalid_token', 'the token is missing');
  // jose would use a JWKS's only key for a token without `kid`; API Gateway requires a matching kid.
  const keyOfKid: JWTVerifyGetKey = (protectedHeader, jws) => {
    if (protectedHeader.kid === undefined) throw new errors.JWKSNoMatchingKey();
    return keys(protectedHeader, jws);
  };
  // No clock tolerance (jose's default), as API Gateway, which refuses a token without `exp`.
  const verifyOptions = { issuer: jwt.issuer, algorithms: ALGORITHMS, requiredClaims: ['exp'] };
  const verified = await jwtVerify(token, keyOfKid, verifyOptions).catch((error: Error) => error);
  if (verified instanceof Error) {
    // A claim jose found missing or wrong is named by the claim; an expired token has its own code.
    const { code = '', claim = '' } = verified as { code?: string; claim?: string };
    const reason = verified instanceof errors.JWTClaimValidationFailed ? REASONS[claim] : REASONS[code];
    return deny(401, 'invalid_token', reason ?? 'the token is invalid');
  }
  const claims = verified.payload;
  // jose checks `iat` only with a maximum age, which API Gateway does not have.
  if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000)
    return deny(401, 'invalid_token', 'the token was issued in the future');
  const audiences = claims.aud === undefined ? [claims.client_id] : [claims.aud].flat();
  if (!audiences.some((audience) => jwt.audience.includes(audience as string)))
    return deny(401, 'invalid_token', 'the token does not have a valid audience');
  const granted = claims.scope ?? claims.scp;
  const grantedScopes = typeof granted === 'string' ? granted.split(' ') : [granted].flat();
  if (scopes.length > 0 && !scopes.some((scope) => grantedScopes.includes(scope)))
    return deny(403, 'insufficient_scope', 'the token does not have the required scope', scopes);
}

/** A refusal (401: a bad or missing token; 403: a good one without the route's scope). */
function deny(status: 401 | 403, error: string, description: string, scopes: readonly string[] = []) {
  const wwwAuthenticate = `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"`;
  return { status, wwwAuthenticate };
}

/** The bytes of the request line and the header lines as received, CRLFs included. */
function requestHeadBytes(request: IncomingMessage): number {
  let bytes = Buffer.byteLength(`${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`);
  for (let index = 0; index < request.rawHeaders.length; index += 2)
    bytes += Buffer.byteLength(`${request.rawHeaders[index]}: ${request.rawHeaders[index + 1]}\r\n`);
  return bytes + 2;
}

/** The route API Gateway picks: of those whose method and path match, the one with most literal segments. */
function matchRoute(routes: readonly Route[], method: string, path: string): Route | undefined {
  const segments = path.split('/');
  let best: { route: Route; literals: number } | undefined;
  for (const route of routes) {
    const parts = route.path.split('/');
    // A `{variable}` takes one segment, which may not be empty.
    const matches = parts.every(
      (part, index) => part === segments[index] || (part.startsWith('{') && segments[index] !== ''),
    );
    if (route.method !== method || parts.length !== segments.length || !matches) continue;
    const literals = parts.filter((part) => !part.startsWith('{')).length;
    if (!best || literals > best.literals) best = { route, literals };
  }
  return best?.route;
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.includes(name)));
}

/** API Gateway answers a preflight itself and adds the CORS headers to every answer; true when it answered. */
function handleCors(cors: Cors, request: IncomingMessage, response: ServerResponse): boolean {
  const { origin } = request.headers;
  const origins = cors.AllowOrigins ?? [];
  const requestedMethod = request.headers['access-control-request-method']?.toUpperCase();
  const preflight = request.method === 'OPTIONS' && requestedMethod !== undefined;
  if (origin !== undefined && (origins.includes(origin) || origins.includes('*'))) {
    const methods = cors.AllowMethods ?? [];
    const methodAllowed = methods.includes(requestedMethod ?? '') || methods.includes('*');
    const headers = {
      'access-control-allow-origin': origins.includes('*') ? '*' : origin,
      'access-control-allow-credentials': cors.AllowCredentials ? 'true' : undefined,
      'access-control-expose-headers': cors.ExposeHeaders?.join(','),
      // Only a preflight learns what it may send.
      ...(preflight && {
        'access-control-allow-methods': methodAllowed ? methods.join(',') : undefined,
        'access-control-allow-headers': cors.AllowHeaders?.join(','),
        'access-control-max-age': cors.MaxAge?.toString(),
      }),
    };
    for (const [name, value] of Object.entries(headers)) if (value) response.setHeader(name, value);
  }
  if (preflight) response.writeHead(204).end();
  return preflight;
}

function answer(response: ServerResponse, status: number, message: string): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  // The whole body in end(): Node sends its Content-Length, as API Gateway does.
  response.end(JSON.stringify({ message }));
}

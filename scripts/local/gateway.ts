import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWTPayload } from 'jose';
import type { Endpoint } from './cloud-map';
import { type HttpApi, type Integration, matchRoute } from './http-api';
import type { JwtAuthorizers } from './jwt-authorizer';

export interface GatewayOptions {
  readonly api: HttpApi;
  readonly authorizers: JwtAuthorizers;
  /** The tasks behind a VPC-link integration's Cloud Map service. */
  readonly endpoints: (serviceArn: string) => Promise<Endpoint[]>;
  readonly port: number;
  readonly host?: string;
}

export interface Gateway {
  readonly url: string;
  close(): Promise<void>;
}

/** The HTTP API quota on a request's line and headers together. */
export const MAX_REQUEST_HEAD_BYTES = 10_240;

/** The bytes of the request line and the header lines as received, CRLFs included. */
function requestHeadBytes(request: IncomingMessage): number {
  let bytes = Buffer.byteLength(`${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`);
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    bytes += Buffer.byteLength(`${request.rawHeaders[index]}: ${request.rawHeaders[index + 1]}\r\n`);
  }
  return bytes + 2;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are the gateway's own, never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * A stand-in for the HTTP API's data plane, which the emulator lacks: it serves the API as deployed
 * (routes, JWT authorizers, integration request parameters, CORS) and sends each request to a task found
 * in Cloud Map, answering in API Gateway's words where API Gateway answers itself.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { api } = options;
  validateIntegrations(api);
  const server = http.createServer((request, response) => {
    handle(options, request, response).catch(() => {
      if (!response.headersSent) answer(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    // Past Node's own limit (16 KiB), or not HTTP at all.
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ message });
    socket.end(
      `HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  options: GatewayOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { api } = options;
  // Like API Gateway's own ids: 10 random bytes, base64.
  const requestId = randomBytes(10).toString('base64');
  response.setHeader('apigw-requestid', requestId);
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://gateway');
  // An HTTP API takes at most 10,240 bytes of request line and headers (http-api-quotas.html). AWS
  // documents the quota, not its answer: 431 says what is wrong.
  if (requestHeadBytes(request) > MAX_REQUEST_HEAD_BYTES) {
    return answer(response, 431, { message: 'Request Header Fields Too Large' });
  }
  // RFC 9112 §3.2: more than one Host field is a 400.
  if (
    request.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'host').length > 1
  ) {
    return answer(response, 400, { message: 'Bad Request' });
  }

  if (api.cors && handleCors(api.cors, request, response)) return;

  const matched = matchRoute(api.routes, method, url.pathname);
  if (!matched) return answer(response, 404, { message: 'Not Found' });
  const { route } = matched;

  let claims: JWTPayload | undefined;
  if (route.authorizationType === 'JWT') {
    const authorizer = route.authorizerId ? api.authorizers.get(route.authorizerId) : undefined;
    if (!authorizer) return answer(response, 500, { message: 'Internal Server Error' });
    const result = await options.authorizers.authorize(
      authorizer,
      request.headers,
      route.authorizationScopes,
    );
    if (!result.ok) {
      response.setHeader('www-authenticate', result.wwwAuthenticate);
      return answer(response, result.status, {
        message: result.status === 401 ? 'Unauthorized' : 'Forbidden',
      });
    }
    claims = result.claims;
  } else if (route.authorizationType !== 'NONE') {
    return answer(response, 500, { message: 'Internal Server Error' });
  }

  const integration = integrationOf(api, route.target);
  if (!integration) return answer(response, 500, { message: 'Internal Server Error' });
  let endpoints: Endpoint[];
  try {
    endpoints = await options.endpoints(integration.integrationUri);
  } catch {
    return answer(response, 503, { message: 'Service Unavailable' });
  }
  const endpoint = endpoints[Math.floor(Math.random() * endpoints.length)];
  if (!endpoint) return answer(response, 503, { message: 'Service Unavailable' });

  const headers = forwardedHeaders(request, endpoint);
  applyRequestParameters(integration, headers, { requestId, claims, request });
  await proxy(request, response, { endpoint, headers, path: `${url.pathname}${url.search}`, integration });
}

function proxy(
  request: IncomingMessage,
  response: ServerResponse,
  target: {
    readonly endpoint: Endpoint;
    readonly headers: IncomingHttpHeaders;
    readonly path: string;
    readonly integration: Integration;
  },
): Promise<void> {
  return new Promise((resolve) => {
    const upstream = http.request(
      {
        host: target.endpoint.host,
        port: target.endpoint.port,
        method:
          target.integration.integrationMethod && target.integration.integrationMethod !== 'ANY'
            ? target.integration.integrationMethod
            : request.method,
        path: target.path,
        headers: target.headers,
        timeout: target.integration.timeoutMillis,
      },
      (upstreamResponse) => {
        const headers = { ...upstreamResponse.headers };
        for (const name of HOP_BY_HOP) delete headers[name];
        response.writeHead(upstreamResponse.statusCode ?? 502, headers);
        upstreamResponse.pipe(response);
        upstreamResponse.on('end', resolve);
        upstreamResponse.on('error', () => {
          response.destroy();
          resolve();
        });
      },
    );
    upstream.on('timeout', () => {
      upstream.destroy();
      if (!response.headersSent) answer(response, 504, { message: 'Service Unavailable' });
      resolve();
    });
    upstream.on('error', () => {
      // A task that closed or refused the connection: API Gateway answers 503 itself.
      if (!response.headersSent) answer(response, 503, { message: 'Service Unavailable' });
      else response.destroy();
      resolve();
    });
    request.pipe(upstream);
  });
}

function forwardedHeaders(request: IncomingMessage, endpoint: Endpoint): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers.host = `${endpoint.host}:${endpoint.port}`;
  const client = request.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = [request.headers['x-forwarded-for'], client].filter(Boolean).join(', ');
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  return headers;
}

interface RequestContext {
  readonly requestId: string;
  readonly claims?: JWTPayload;
  readonly request: IncomingMessage;
}

/** The integration's `request_parameters` on headers: `overwrite:`, `append:` and `remove:header.<name>`. */
function applyRequestParameters(
  integration: Integration,
  headers: IncomingHttpHeaders,
  context: RequestContext,
): void {
  for (const [key, expression] of Object.entries(integration.requestParameters)) {
    const [operation, target] = parameterKey(key);
    const name = target.slice('header.'.length).toLowerCase();
    if (operation === 'remove') {
      delete headers[name];
      continue;
    }
    const value = evaluate(expression, context);
    if (operation === 'overwrite') headers[name] = value;
    else headers[name] = [headers[name], value].flat().filter(Boolean).join(',');
  }
}

function parameterKey(key: string): [string, string] {
  const [operation = '', target = ''] = key.split(':');
  return [operation, target];
}

/** `$context.requestId`, `$context.authorizer.claims.<claim>`, `$request.header.<name>`, or literal text. */
function evaluate(expression: string, context: RequestContext): string {
  return expression.replace(/\$(context\.[\w.]+|request\.header\.[\w-]+)/g, (_, reference: string) => {
    if (reference === 'context.requestId') return context.requestId;
    const claim = /^context\.authorizer\.claims\.(\w+)$/.exec(reference)?.[1];
    if (claim) return String(context.claims?.[claim] ?? '');
    const header = /^request\.header\.([\w-]+)$/.exec(reference)?.[1];
    if (header) return String(context.request.headers[header.toLowerCase()] ?? '');
    return '';
  });
}

const SUPPORTED_PARAMETER = /^(overwrite|append|remove):header\.[\w-]+$/;
const SUPPORTED_VALUE =
  /^(?:[^$]|\$context\.requestId|\$context\.authorizer\.claims\.\w+|\$request\.header\.[\w-]+)*$/;

/** Refuses, at start, what the stand-in would get wrong: an integration of another kind, or a mapping it does not know. */
function validateIntegrations(api: HttpApi): void {
  for (const integration of api.integrations.values()) {
    if (integration.integrationType !== 'HTTP_PROXY' || integration.connectionType !== 'VPC_LINK') {
      throw new Error(
        `integration ${integration.id} is ${integration.integrationType} over ${integration.connectionType ?? 'INTERNET'}: the local gateway serves HTTP_PROXY integrations over a VPC link only`,
      );
    }
    for (const [key, value] of Object.entries(integration.requestParameters)) {
      if (!SUPPORTED_PARAMETER.test(key) || !SUPPORTED_VALUE.test(value)) {
        throw new Error(
          `integration ${integration.id}: request parameter ${key} = ${value} is not one the local gateway maps (header overwrite/append/remove with $context.requestId, $context.authorizer.claims.*, $request.header.*)`,
        );
      }
    }
  }
}

function integrationOf(api: HttpApi, target: string | undefined): Integration | undefined {
  const id = /^integrations\/(.+)$/.exec(target ?? '')?.[1];
  return id ? api.integrations.get(id) : undefined;
}

/** API Gateway answers preflight requests itself and adds the CORS headers to every answer; true when it answered. */
function handleCors(
  cors: NonNullable<HttpApi['cors']>,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const origin = request.headers.origin;
  const allowed =
    origin !== undefined && (cors.allowOrigins.includes(origin) || cors.allowOrigins.includes('*'));
  const preflight =
    request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (allowed) {
    response.setHeader('access-control-allow-origin', cors.allowOrigins.includes('*') ? '*' : origin);
    if (cors.allowCredentials) response.setHeader('access-control-allow-credentials', 'true');
    if (cors.exposeHeaders.length > 0)
      response.setHeader('access-control-expose-headers', cors.exposeHeaders.join(','));
  }
  if (!preflight) return false;
  if (allowed) {
    const requestedMethod = String(request.headers['access-control-request-method']).toUpperCase();
    if (cors.allowMethods.includes(requestedMethod) || cors.allowMethods.includes('*')) {
      response.setHeader('access-control-allow-methods', cors.allowMethods.join(','));
    }
    if (cors.allowHeaders.length > 0)
      response.setHeader('access-control-allow-headers', cors.allowHeaders.join(','));
    if (cors.maxAge !== undefined) response.setHeader('access-control-max-age', String(cors.maxAge));
  }
  response.writeHead(204).end();
  return true;
}

function answer(response: ServerResponse, status: number, body: { message: string }): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

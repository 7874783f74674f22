import { createServer, request as httpRequest } from 'node:http';
import { portOf } from '../app/helpers';

export interface GatewayRequest {
  readonly method: string;
  readonly path: string;
  /** Whether it carried `Authorization: Bearer <the accepted token>`. */
  readonly authorized: boolean;
  /** The status the client got. */
  readonly status: number;
}

export interface GatewayStandInOptions {
  /** The only token its "authorizer" accepts: the recorded access token. */
  readonly acceptedToken: string;
  /** A misconfigured gateway: writes reach the service without a token. */
  readonly letUnauthenticatedWritesThrough?: boolean;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE']);

/**
 * The HTTP API in front of the service, as far as the smoke test can tell: writes without the
 * accepted bearer token get the JWT authorizer's 401 `{"message":"Unauthorized"}`; everything else is
 * proxied to the service at `serviceUrl`. Records every request.
 */
export async function startGatewayStandIn(serviceUrl: string, options: GatewayStandInOptions) {
  const service = new URL(serviceUrl);
  const requests: GatewayRequest[] = [];
  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const authorized = request.headers.authorization === `Bearer ${options.acceptedToken}`;
    const record = (status: number) => requests.push({ method, path, authorized, status });
    if (WRITE_METHODS.has(method) && !authorized && !options.letUnauthenticatedWritesThrough) {
      request.resume();
      record(401);
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"message":"Unauthorized"}');
      return;
    }
    const upstream = httpRequest(
      { host: service.hostname, port: service.port, method, path, headers: request.headers },
      (upstreamResponse) => {
        record(upstreamResponse.statusCode ?? 502);
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => {
      record(503);
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"message":"Service Unavailable"}');
    });
    request.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

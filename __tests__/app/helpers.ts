import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  createServer as createHttpServer,
  Agent as HttpAgent,
  request as httpRequest,
  type Server,
} from 'node:http';
import { type AddressInfo, createServer, type Socket, connect as tcpConnect } from 'node:net';
import { type AppOptions, appOptionsFrom } from '../../app/app';
import { loadConfig } from '../../app/config';
import { createLocalDynamoDb } from '../../app/local-dynamodb';
import { createIdempotencyTable, createPetTable } from '../../app/pets/table';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

export const REGION = 'us-east-1';

export function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}

/** A real DynamoDB-compatible server (dynalite, in memory) on an ephemeral loopback port. */
export async function startLocalDynamoDb(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createLocalDynamoDb();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${portOf(server)}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * dynalite, a fault-injecting proxy in front of it (see startFaultyDynamoDbProxy) and a fresh table:
 * the service under test talks to `faults.endpoint`; `dynamodb.endpoint` reaches the store directly.
 */
export async function startStoreBehindFaults() {
  const dynamodb = await startLocalDynamoDb();
  const faults = await startFaultyDynamoDbProxy(dynamodb.endpoint);
  const tableName = await createTable(dynamodb.endpoint);
  return {
    dynamodb,
    faults,
    tableName,
    async close() {
      await faults.close();
      await dynamodb.close();
    },
  };
}

/**
 * A new, empty pets table and its Idempotency-Key table (`<name>-idempotency`, the service's
 * default), so tests that count pets do not see each other's.
 */
export async function createTable(endpoint: string): Promise<string> {
  const tableName = `pets-${randomUUID()}`;
  const client = createDynamoDbClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await createPetTable(client, tableName);
    await createIdempotencyTable(client, `${tableName}-idempotency`);
  } finally {
    client.destroy();
  }
  return tableName;
}

/** The options production derives from its environment, for this endpoint and table. */
export function productionOptions(endpoint: string, tableName: string): AppOptions {
  return appOptionsFrom(
    loadConfig({
      TABLE_NAME: tableName,
      AWS_REGION: REGION,
      DYNAMODB_ENDPOINT: endpoint,
      LOG_LEVEL: 'silent',
    }),
  );
}

/**
 * A TCP proxy in front of the local DynamoDB that a test can cut and restore, as a network or
 * DynamoDB outage looks to the service: `down()` refuses connections and drops open ones,
 * `hang()` accepts connections but never answers, `delay(ms)` holds each request that long.
 * `requestsSeen` counts the DynamoDB calls that reached it.
 */
export async function startDynamoDbProxy(targetPort: number) {
  let mode: 'up' | 'hang' = 'up';
  let delayMs = 0;
  let requestsSeen = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'hang') return;
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    track(upstream);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      // Every DynamoDB API call is a POST to the endpoint's root.
      requestsSeen += chunk.toString('latin1').split('POST / HTTP/1.1').length - 1;
      if (delayMs === 0) upstream.write(chunk);
      else setTimeout(() => upstream.write(chunk), delayMs);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = portOf(server);
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requestsSeen() {
      return requestsSeen;
    },
    async down() {
      dropConnections();
      await new Promise((resolve) => server.close(resolve));
    },
    async up() {
      mode = 'up';
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    hang() {
      mode = 'hang';
      dropConnections();
    },
    delay(ms: number) {
      delayMs = ms;
    },
    async close() {
      dropConnections();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Fault = 'pass' | 'lose-response' | 'reset' | 'throttle' | 'not-json';

/**
 * An HTTP proxy in front of the local DynamoDB that injects faults into chosen API calls, as a
 * network does: `plan('PutItem', 'lose-response')` forwards the next PutItem to DynamoDB (so it
 * takes effect) and then resets the connection instead of answering, the way a lost response looks
 * to the SDK, which then retries against the real state. `reset` drops the call unsent, `throttle`
 * answers as DynamoDB does over capacity, `not-json` answers as a misbehaving middlebox would,
 * `pass` lets one call through (to plan faults for the ones after it).
 * Unplanned calls pass through. `calls` lists every operation that reached the proxy, in order.
 */
export async function startFaultyDynamoDbProxy(targetEndpoint: string) {
  const target = new URL(targetEndpoint);
  const planned = new Map<string, Fault[]>();
  const calls: string[] = [];
  const server = createHttpServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    calls.push(operation);
    const fault = planned.get(operation)?.shift();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (fault === 'reset') {
        request.socket.destroy();
        return;
      }
      if (fault === 'throttle' || fault === 'not-json') {
        const throttled = fault === 'throttle';
        response.writeHead(throttled ? 400 : 200, {
          'content-type': throttled ? 'application/x-amz-json-1.0' : 'text/html',
        });
        response.end(
          throttled
            ? JSON.stringify({
                __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
                message: 'The level of configured provisioned throughput for the table was exceeded.',
              })
            : '<html><body>502 Bad Gateway</body></html>',
        );
        return;
      }
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (upstreamResponse) => {
          const body: Buffer[] = [];
          upstreamResponse.on('data', (chunk: Buffer) => body.push(chunk));
          upstreamResponse.on('end', () => {
            // DynamoDB has done the work; the client never hears of it.
            if (fault === 'lose-response') {
              request.socket.destroy();
              return;
            }
            response.writeHead(upstreamResponse.statusCode ?? 500, upstreamResponse.headers);
            response.end(Buffer.concat(body));
          });
        },
      );
      upstream.on('error', () => request.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${portOf(server)}`,
    calls,
    /** Faults for the next calls of `operation`, one each, in order. */
    plan(operation: string, ...faults: Fault[]) {
      planned.set(operation, [...(planned.get(operation) ?? []), ...faults]);
    },
    /** Faults planned but not yet met. */
    pending(): number {
      return [...planned.values()].reduce((sum, faults) => sum + faults.length, 0);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A gateway of API Gateway's kind in front of service instances: round-robin over the instances it
 * believes are registered, on pooled keep-alive connections. Like API Gateway's view of Cloud Map,
 * its view lags the registry: an instance deregistered now still gets requests for `lagMs`.
 * `register`/`deregister` are what ECS does to Cloud Map. An upstream failure is answered 502, as
 * the gateway would; `failures` counts them.
 */
export async function startLaggingGateway(lagMs: number) {
  const agent = new HttpAgent({ keepAlive: true });
  // The registry's history: when each instance came and went.
  const history: { url: string; from: number; until: number }[] = [];
  let turn = 0;
  let failures = 0;
  const viewAt = (time: number) =>
    history.filter((entry) => entry.from <= time && time < entry.until).map((entry) => entry.url);
  const server = createHttpServer((request, response) => {
    const view = viewAt(Date.now() - lagMs);
    const upstreamUrl = view[turn++ % Math.max(view.length, 1)];
    if (upstreamUrl === undefined) {
      failures += 1;
      response.writeHead(503).end();
      return;
    }
    const upstream = new URL(upstreamUrl);
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, connection: 'keep-alive' },
        agent,
      },
      (upstreamResponse) => {
        const { connection: _, 'keep-alive': __, ...headers } = upstreamResponse.headers;
        response.writeHead(upstreamResponse.statusCode ?? 502, headers);
        upstreamResponse.pipe(response);
      },
    );
    forwarded.on('error', () => {
      failures += 1;
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    get failures() {
      return failures;
    },
    register(url: string) {
      history.push({ url, from: Date.now() - lagMs, until: Number.POSITIVE_INFINITY });
    },
    deregister(url: string) {
      for (const entry of history)
        if (entry.url === url && entry.until === Number.POSITIVE_INFINITY) entry.until = Date.now();
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Resolves when the socket has closed, however it closed. `events.once(socket, 'close')` would reject
 * on an 'error' first (a reset by a server that drops the connection, which is often the point).
 */
export function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed && socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

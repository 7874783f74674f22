import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, createServer, type Socket, connect as tcpConnect } from 'node:net';
import dynalite from 'dynalite';
import { type AppOptions, appOptionsFrom } from '../../app/app';
import { loadConfig } from '../../app/config';
import { createPetTable } from '../../app/pets/table';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

export const REGION = 'us-east-1';

export function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}

/** A real DynamoDB-compatible server (dynalite, in memory) on an ephemeral loopback port. */
export async function startLocalDynamoDb(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
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

/** A new, empty pets table, so tests that count pets do not see each other's. */
export async function createTable(endpoint: string): Promise<string> {
  const tableName = `pets-${randomUUID()}`;
  const client = createDynamoDbClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await createPetTable(client, tableName);
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

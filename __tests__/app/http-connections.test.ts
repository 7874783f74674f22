import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, CLIENT_ERROR_LINGER_MS } from '../../app/app';
import { closed, productionOptions, startDynamoDbProxy, startStoreBehindFaults } from './helpers';
import { expectApiError, parseRaw, raw } from './raw-http';

// Connections over a real port: clients that trickle, two Host fields, a client that never reads, and
// requests that arrive while the service stops.

let store: Awaited<ReturnType<typeof startStoreBehindFaults>>;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  store = await startStoreBehindFaults();
  app = buildApp(productionOptions(store.faults.endpoint, store.tableName));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('slow clients', () => {
  let strict: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    strict = buildApp({ ...productionOptions(store.dynamodb.endpoint, 'pets'), requestTimeoutMs: 500 });
    port = Number(new URL(await strict.listen({ port: 0, host: '127.0.0.1' })).port);
  });

  afterAll(async () => {
    await strict?.close();
  });

  it.each([
    [
      'its body',
      'POST /petstore/pets/slow HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{',
      ' ',
    ],
    ['its headers', 'GET /health HTTP/1.1\r\nhost: a\r\n', 'x-slow: 1\r\n'],
  ])(
    'get 408 in the API’s shape, and the connection closed, when they trickle %s',
    async (_, start, drip) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk;
      });
      socket.on('error', () => {});
      socket.write(start);
      const trickle = setInterval(() => socket.writable && socket.write(drip), 50);
      const started = Date.now();
      try {
        await closed(socket);
        expect(Date.now() - started).toBeLessThan(1500);
        const response = parseRaw(answer);
        expectApiError(response, 408, /^The request was not received in time$/);
        expect(response.headers.connection).toBe('close');
      } finally {
        clearInterval(trickle);
        socket.destroy();
      }
    },
  );
});

describe('Host', () => {
  it('two Host fields get 400 in the API’s shape (RFC 9112 §3.2), not the first host’s answer', async () => {
    const response = parseRaw(
      await raw(baseUrl, 'GET /health HTTP/1.1\r\nhost: a\r\nhost: b\r\nconnection: close\r\n\r\n'),
    );
    expectApiError(response, 400, /^The request has more than one Host header$/);
    const one = parseRaw(await raw(baseUrl, 'GET /health HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'));
    expect(one.statusCode).toBe(200);
  });
});

describe('a slowloris that never reads', () => {
  it('loses its connection one linger after the 408, though it keeps sending', async () => {
    const strict = buildApp({ ...productionOptions(store.dynamodb.endpoint, 'pets'), requestTimeoutMs: 500 });
    const port = Number(new URL(await strict.listen({ port: 0, host: '127.0.0.1' })).port);
    const openConnections = () =>
      new Promise<number>((resolve, reject) =>
        strict.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    // It never reads: what the server sends stays unread, so the server's FIN is never answered.
    socket.pause();
    socket.write(
      'POST /petstore/pets/slow HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 50);
    try {
      await vi.waitFor(async () => expect(await openConnections()).toBe(1), { interval: 20 });
      const started = Date.now();
      // The request timeout (500 ms) brings the 408; one linger (1 s) later the server drops the socket.
      await vi.waitFor(async () => expect(await openConnections()).toBe(0), { timeout: 5000, interval: 50 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(CLIENT_ERROR_LINGER_MS);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await strict.close();
    }
  });
});

describe('while the service stops', () => {
  it('answers with Connection: close once shutdown begins', async () => {
    const stopping = buildApp(productionOptions(store.dynamodb.endpoint, 'pets'));
    try {
      await stopping.ready();
      expect((await stopping.inject({ method: 'GET', url: '/health' })).headers.connection).not.toBe('close');
      stopping.beginShutdown();
      const response = await stopping.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.headers.connection).toBe('close');
    } finally {
      await stopping.close();
    }
  });

  it('answers a request arriving while the server closes with the API’s 503, Retry-After and x-request-id', async () => {
    // A keep-alive connection busy with a slow request (DynamoDB takes 300 ms) when close()
    // starts; a second request then arrives on it.
    const slowStore = await startDynamoDbProxy(Number(new URL(store.dynamodb.endpoint).port));
    slowStore.delay(300);
    const closing = buildApp(productionOptions(slowStore.endpoint, 'pets'));
    const address = await closing.listen({ port: 0, host: '127.0.0.1' });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    try {
      socket.write('GET /petstore/pets/busy HTTP/1.1\r\nhost: a\r\n\r\n');
      await vi.waitFor(() => expect(slowStore.requestsSeen).toBe(1), { interval: 5 });
      const serverClosed = closing.close();
      socket.write('GET /health HTTP/1.1\r\nhost: a\r\nx-request-id: late-1\r\n\r\n');
      await closed(socket);
      await serverClosed;
      const second = answer.slice(answer.indexOf('HTTP/1.1', 1));
      const response = parseRaw(second);
      expectApiError(response, 503, /^The service is restarting; retry shortly$/);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['x-request-id']).toBe('late-1');
      expect(response.headers.connection).toBe('close');
    } finally {
      socket.destroy();
      await slowStore.close();
    }
  });
});

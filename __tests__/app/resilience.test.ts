import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from '../../app/app';
import { createTable, portOf, productionOptions, startDynamoDbProxy, startLocalDynamoDb } from './helpers';

// Over a real port: what a client sees when DynamoDB is unreachable, hangs or throttles.
// The client's limits are shortened (production: 3 attempts of at most 1 s) to keep the suite fast.
const FAST_FAILING = { maxAttempts: 2, connectionTimeoutMs: 200, requestTimeoutMs: 300 };

let dynamodb: Awaited<ReturnType<typeof startLocalDynamoDb>>;
let proxy: Awaited<ReturnType<typeof startDynamoDbProxy>>;
let app: FastifyInstance;
let baseUrl: string;

async function listen(options: AppOptions): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const instance = buildApp(options);
  const address = await instance.listen({ port: 0, host: '127.0.0.1' });
  return { app: instance, baseUrl: address };
}

beforeAll(async () => {
  dynamodb = await startLocalDynamoDb();
  proxy = await startDynamoDbProxy(Number(new URL(dynamodb.endpoint).port));
  const production = productionOptions(proxy.endpoint, await createTable(dynamodb.endpoint));
  ({ app, baseUrl } = await listen({ ...production, dynamodb: { ...production.dynamodb, ...FAST_FAILING } }));
  const created = await fetch(`${baseUrl}/petstore/pets/survivor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Survivor' }),
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await app?.close();
  await proxy?.close();
  await dynamodb?.close();
});

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await response.json()).toEqual({
    statusCode: 503,
    error: 'Service Unavailable',
    message: 'The pet store is temporarily unavailable; retry shortly',
  });
}

describe('when DynamoDB is unreachable', () => {
  it('answers 503 with Retry-After, then serves again once DynamoDB is back', async () => {
    expect((await fetch(`${baseUrl}/petstore/pets/survivor`)).status).toBe(200);

    await proxy.down();
    await expectUnavailable(await fetch(`${baseUrl}/petstore/pets/survivor`));
    await expectUnavailable(
      await fetch(`${baseUrl}/petstore/pets/new-one`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'New' }),
      }),
    );
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);

    await proxy.up();
    const recovered = await fetch(`${baseUrl}/petstore/pets/survivor`);
    expect(recovered.status).toBe(200);
    expect(await recovered.json()).toMatchObject({ petId: 'survivor', name: 'Survivor' });
  });

  it('answers 503 when DynamoDB accepts connections but never answers, then recovers', async () => {
    proxy.hang();
    await expectUnavailable(await fetch(`${baseUrl}/petstore/pets?limit=5`));

    await proxy.down();
    await proxy.up();
    expect((await fetch(`${baseUrl}/petstore/pets?limit=5`)).status).toBe(200);
  });
});

describe('when DynamoDB throttles', () => {
  let throttling: Server;
  let throttled: FastifyInstance;
  let throttledUrl: string;

  beforeAll(async () => {
    // Answers every call as DynamoDB does when a table is over its capacity.
    throttling = createServer((request, response) => {
      request.resume();
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      );
    });
    throttling.listen(0, '127.0.0.1');
    await once(throttling, 'listening');
    const production = productionOptions(`http://127.0.0.1:${portOf(throttling)}`, 'pets');
    // One attempt: the SDK waits up to a second between throttled attempts.
    ({ app: throttled, baseUrl: throttledUrl } = await listen({
      ...production,
      dynamodb: { ...production.dynamodb, maxAttempts: 1 },
    }));
  });

  afterAll(async () => {
    await throttled?.close();
    throttling?.closeAllConnections();
    await new Promise((resolve) => throttling?.close(resolve));
  });

  it('answers 503 with Retry-After', async () => {
    await expectUnavailable(await fetch(`${throttledUrl}/petstore/pets/any`));
  });
});

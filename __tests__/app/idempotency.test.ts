import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../app/app';
import { KEY_TTL_SECONDS, LEASE_MS } from '../../app/idempotency-store';
import {
  createTable,
  productionOptions,
  REGION,
  startDynamoDbProxy,
  startFaultyDynamoDbProxy,
  startLocalDynamoDb,
} from './helpers';

// The Idempotency-Key header (IETF httpapi draft), against a real DynamoDB API.

let dynamodb: Awaited<ReturnType<typeof startLocalDynamoDb>>;
let app: FastifyInstance;
let tableName: string;
let client: DynamoDBClient;
let counter = 0;

beforeAll(async () => {
  dynamodb = await startLocalDynamoDb();
  tableName = await createTable(dynamodb.endpoint);
  app = buildApp(productionOptions(dynamodb.endpoint, tableName));
  await app.ready();
  client = new DynamoDBClient({
    region: REGION,
    endpoint: dynamodb.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  vi.useRealTimers();
  client?.destroy();
  await app?.close();
  await dynamodb?.close();
});

function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}`;
}

function write(
  target: FastifyInstance,
  method: 'POST' | 'PUT' | 'DELETE',
  petId: string,
  key: string | undefined,
  body?: object,
  headers: Record<string, string> = {},
) {
  const options: InjectOptions = {
    method,
    url: `/petstore/pets/${petId}`,
    headers: { ...(key !== undefined && { 'idempotency-key': key }), ...headers },
    ...(body !== undefined && { payload: body }),
  };
  return target.inject(options);
}

/** A JWT as the gateway passes it on (the gateway verified it; the service only reads `sub`). */
function bearer(sub: string): Record<string, string> {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return { authorization: `Bearer ${part({ alg: 'RS256' })}.${part({ sub })}.signature` };
}

describe('a repeat with the same key and the same request', () => {
  it('gets the first answer of a POST again: status, body and Location', async () => {
    const petId = unique('idem-post');
    const key = `"${unique('key')}"`;
    const first = await write(app, 'POST', petId, key, { name: 'Once', tag: 'a' });
    expect(first.statusCode).toBe(201);

    const repeat = await write(app, 'POST', petId, key, { tag: 'a', name: 'Once' });
    expect(repeat.statusCode).toBe(201);
    expect(repeat.body).toBe(first.body);
    expect(repeat.headers.location).toBe(`/petstore/pets/${petId}`);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    // Without the key it is a new request, and the pet exists.
    expect((await write(app, 'POST', petId, undefined, { name: 'Once', tag: 'a' })).statusCode).toBe(409);
  });

  it('gets the 204 of a DELETE again, not 404', async () => {
    const petId = unique('idem-delete');
    await write(app, 'POST', petId, undefined, { name: 'Doomed' });
    const key = unique('key');
    expect((await write(app, 'DELETE', petId, key)).statusCode).toBe(204);
    const repeat = await write(app, 'DELETE', petId, key);
    expect(repeat.statusCode).toBe(204);
    expect(repeat.body).toBe('');
  });

  it('gets the 201 of a PUT that created the pet again, not 200', async () => {
    const petId = unique('idem-put');
    const key = unique('key');
    const first = await write(app, 'PUT', petId, key, { name: 'New' });
    expect(first.statusCode).toBe(201);
    const repeat = await write(app, 'PUT', petId, key, { name: 'New' });
    expect(repeat.statusCode).toBe(201);
    expect(repeat.json()).toEqual(first.json());
  });

  it('gets a first 4xx answer again too', async () => {
    const petId = unique('idem-404');
    const key = unique('key');
    expect((await write(app, 'DELETE', petId, key)).statusCode).toBe(404);
    await write(app, 'POST', petId, undefined, { name: 'Later' });
    expect((await write(app, 'DELETE', petId, key)).statusCode).toBe(404);
  });
});

describe('the same key with a different request', () => {
  it.each([
    ['another body', 'POST', { name: 'Other' }, undefined],
    ['another pet', 'POST', { name: 'First' }, 'elsewhere'],
    ['another method', 'PUT', { name: 'First' }, undefined],
  ] as const)('gets 422 for %s', async (_, method, body, otherPetId) => {
    const petId = unique('idem-422');
    const key = unique('key');
    expect((await write(app, 'POST', petId, key, { name: 'First' })).statusCode).toBe(201);
    const response = await write(app, method, otherPetId ?? petId, key, body);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'This Idempotency-Key was used for a different request; use a new key',
    });
  });

  it('is another key for another user', async () => {
    const petId = unique('idem-users');
    const key = unique('key');
    expect((await write(app, 'POST', petId, key, { name: 'Mine' }, bearer('alice'))).statusCode).toBe(201);
    // Bob's request with Alice's key is not a repeat of hers: it runs, and the pet exists.
    expect((await write(app, 'POST', petId, key, { name: 'Mine' }, bearer('bob'))).statusCode).toBe(409);
  });
});

describe('a repeat while the first is in flight', () => {
  it('gets 409 with Retry-After', async () => {
    const proxy = await startDynamoDbProxy(Number(new URL(dynamodb.endpoint).port));
    const slow = buildApp(productionOptions(proxy.endpoint, tableName));
    try {
      await slow.ready();
      const petId = unique('idem-409');
      const key = unique('key');
      // The claim passes at once; the write that follows takes 300 ms.
      const first = write(slow, 'POST', petId, key, { name: 'Slow' });
      await vi.waitFor(() => expect(proxy.requestsSeen).toBeGreaterThanOrEqual(1), { interval: 5 });
      proxy.delay(300);
      const repeat = await write(app, 'POST', petId, key, { name: 'Slow' });

      expect(repeat.statusCode).toBe(409);
      expect(repeat.headers['retry-after']).toBe('1');
      expect(repeat.json().message).toMatch(/still in progress/);
      expect((await first).statusCode).toBe(201);
      expect((await write(app, 'POST', petId, key, { name: 'Slow' })).statusCode).toBe(201);
    } finally {
      await slow.close();
      await proxy.close();
    }
  });
});

describe('after a 5xx', () => {
  it('the key is released, and a retry whose first write had landed gets 201, not 409', async () => {
    const faults = await startFaultyDynamoDbProxy(dynamodb.endpoint);
    const faulty = buildApp(productionOptions(faults.endpoint, tableName));
    try {
      await faulty.ready();
      const petId = unique('idem-503');
      const key = unique('key');
      // The write lands, its answer and every retry are lost, and so is the read that would tell.
      // (The first PutItem is the key's claim, which goes through.)
      faults.plan('PutItem', 'pass', 'lose-response', 'reset', 'reset');
      faults.plan('GetItem', 'reset', 'reset', 'reset');
      const first = await write(faulty, 'POST', petId, key, { name: 'Landed' });
      expect(first.statusCode).toBe(503);
      expect(first.headers['retry-after']).toBe('1');
      expect((await app.inject({ method: 'GET', url: `/petstore/pets/${petId}` })).statusCode).toBe(200);

      const retry = await write(faulty, 'POST', petId, key, { name: 'Landed' });
      expect(retry.statusCode).toBe(201);
      expect(retry.json()).toMatchObject({ petId, name: 'Landed' });
    } finally {
      await faulty.close();
      await faults.close();
    }
  });
});

describe('a keyed DELETE whose answer could not be stored', () => {
  it('still answers 204 to a retry after the lease, though the pet is gone by then', async () => {
    const faults = await startFaultyDynamoDbProxy(dynamodb.endpoint);
    const faulty = buildApp(productionOptions(faults.endpoint, tableName));
    try {
      await faulty.ready();
      const petId = unique('idem-delete');
      const key = unique('key');
      expect((await write(app, 'PUT', petId, undefined, { name: 'Doomed' })).statusCode).toBe(201);
      // The mark and the written-ahead 204 go through; storing the answer fails on every attempt.
      faults.plan('UpdateItem', 'pass', 'pass', 'reset', 'reset', 'reset', 'reset', 'reset');
      const first = await write(faulty, 'DELETE', petId, key);
      expect(first.statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: `/petstore/pets/${petId}` })).statusCode).toBe(404);

      // Until the lease runs out the key is in flight; after it, the retry runs again.
      expect((await write(app, 'DELETE', petId, key)).statusCode).toBe(409);
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + LEASE_MS + 1000 });
      try {
        const retry = await write(app, 'DELETE', petId, key);
        expect(retry.statusCode).toBe(204);
        expect(retry.headers['idempotent-replayed']).toBeUndefined();
        // Its answer is stored this time.
        const again = await write(app, 'DELETE', petId, key);
        expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([204, 'true']);
      } finally {
        vi.useRealTimers();
      }
      // Without the key nothing was written ahead: a plain DELETE of a missing pet is a 404.
      expect((await write(app, 'DELETE', petId, undefined)).statusCode).toBe(404);
    } finally {
      await faulty.close();
      await faults.close();
    }
  });
});

describe('whose key it is', () => {
  /** A token as some clients send it: alone, with no `Bearer ` (API Gateway's authorizer takes both). */
  const bare = (sub: string) => ({ authorization: (bearer(sub).authorization ?? '').replace('Bearer ', '') });

  it.each([
    ['bare tokens', bare],
    [
      'lower-case bearer tokens',
      (sub: string) => ({ authorization: (bearer(sub).authorization ?? '').replace('Bearer', 'bearer') }),
    ],
  ])(
    "with %s, one user's answer is never replayed to another: the second user's write runs",
    async (_, token) => {
      const petId = unique('idem-owner');
      const key = unique('key');
      const first = await write(app, 'PUT', petId, key, { name: 'Probe' }, token('alice'));
      expect(first.statusCode).toBe(201);
      const second = await write(app, 'PUT', petId, key, { name: 'Probe' }, token('bob'));
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      // Bob's PUT ran: the pet existed, so it was replaced (200), not created again.
      expect(second.statusCode).toBe(200);
      // And Alice's retry is still hers.
      const retry = await write(app, 'PUT', petId, key, { name: 'Probe' }, token('alice'));
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
    },
  );

  it.each([
    [
      'with no sub',
      {
        authorization: `Bearer ${Buffer.from('{}').toString('base64url')}.${Buffer.from('{"scope":"x"}').toString('base64url')}.s`,
      },
    ],
    ['that is no JWT', { authorization: 'Bearer opaque-token' }],
  ])('a keyed write whose token names no user (%s) gets 400, and nothing is written', async (_, headers) => {
    const petId = unique('idem-no-owner');
    const response = await write(app, 'POST', petId, unique('key'), { name: 'x' }, headers);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(
      /^An Idempotency-Key is kept per user, and this token names none/,
    );
    const stored = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { petId: { S: petId } } }),
    );
    expect(stored.Item).toBeUndefined();
  });
});

describe('keys', () => {
  it('expire after 24 h: DynamoDB TTL deletes them by expiresAt, and an expired one counts as absent', async () => {
    const petId = unique('idem-ttl');
    const key = unique('key');
    const before = Math.floor(Date.now() / 1000);
    expect((await write(app, 'POST', petId, key, { name: 'Day one' })).statusCode).toBe(201);

    const { Items } = await client.send(new ScanCommand({ TableName: `${tableName}-idempotency` }));
    const record = Items?.find((item) => item.state?.S === 'answered' && item.body?.S?.includes(petId));
    const expiresAt = Number(record?.expiresAt?.N);
    expect(expiresAt - before).toBeGreaterThanOrEqual(KEY_TTL_SECONDS);
    expect(expiresAt - before).toBeLessThanOrEqual(KEY_TTL_SECONDS + 2);
    // Neither the key nor the response body is stored in clear.
    expect(record?.idempotencyKey?.S).not.toContain(key);

    // A day later (before TTL has got round to deleting it) the key is free: the request runs again.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + (KEY_TTL_SECONDS + 1) * 1000 });
    try {
      expect((await write(app, 'POST', petId, key, { name: 'Day two' })).statusCode).toBe(409);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ['empty', '""'],
    ['too long', 'k'.repeat(256)],
    ['not ASCII', '"clé"'],
    ['an unterminated string', '"abc'],
    ['two keys', '"a", "b"'],
  ])('that are %s get 400, and nothing is written', async (_, key) => {
    const petId = unique('idem-400');
    const response = await write(app, 'POST', petId, key, { name: 'x' });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(
      /^Idempotency-Key must be a string of 1-255 printable ASCII characters/,
    );
    const stored = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { petId: { S: petId } } }),
    );
    expect(stored.Item).toBeUndefined();
  });
});

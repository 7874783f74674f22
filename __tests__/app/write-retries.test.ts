import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app/app';
import { productionOptions, startStoreBehindFaults } from './helpers';

// A write reaches DynamoDB, but its response is lost on the way back: the SDK retries (it must, for
// throttling and network errors), and the retry meets the state the first attempt left. The faults
// come from a real proxy between the SDK and a real DynamoDB API; the retries are the SDK's own.

let store: Awaited<ReturnType<typeof startStoreBehindFaults>>;
let app: FastifyInstance;
let counter = 0;

beforeAll(async () => {
  store = await startStoreBehindFaults();
  app = buildApp(productionOptions(store.faults.endpoint, store.tableName));
  await app.ready();
});

afterEach(() => {
  // Every planned fault was met: the test exercised what it says.
  expect(store.faults.pending()).toBe(0);
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

function newPetId(): string {
  counter += 1;
  return `retried-${counter}`;
}

function send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', petId: string, body?: object) {
  return app.inject({ method, url: `/petstore/pets/${petId}`, ...(body !== undefined && { payload: body }) });
}

/** How many times the SDK sent `operation` during `action`. */
async function attemptsOf(operation: string, action: () => Promise<unknown>): Promise<number> {
  const before = store.faults.calls.length;
  await action();
  return store.faults.calls.slice(before).filter((call) => call === operation).length;
}

describe('a POST whose response is lost', () => {
  it('answers 201 for the pet it created, not 409', async () => {
    const petId = newPetId();
    store.faults.plan('PutItem', 'lose-response');
    let response: LightMyRequestResponse | undefined;
    expect(
      await attemptsOf('PutItem', async () => {
        response = await send('POST', petId, { name: 'Once' });
      }),
    ).toBe(2);

    expect(response?.statusCode).toBe(201);
    expect(response?.headers.location).toBe(`/petstore/pets/${petId}`);
    const stored = (await send('GET', petId)).json();
    expect(response?.json()).toEqual(stored);
  });

  it('answers 201 when every retry fails but a read shows the write landed, not 503', async () => {
    const petId = newPetId();
    store.faults.plan('PutItem', 'lose-response', 'reset', 'reset');
    const response = await send('POST', petId, { name: 'Landed' });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ petId, name: 'Landed' });
  });

  it('still answers 409 for a pet another request created', async () => {
    const petId = newPetId();
    expect((await send('POST', petId, { name: 'First' })).statusCode).toBe(201);
    store.faults.plan('PutItem', 'lose-response');
    const response = await send('POST', petId, { name: 'Second' });
    // The first attempt failed its condition; so does the retry, and neither was this request's pet.
    expect(response.statusCode).toBe(409);
    expect((await send('GET', petId)).json()).toMatchObject({ name: 'First' });
  });

  it('answers 503 when the write did not land and DynamoDB stays unreachable', async () => {
    const petId = newPetId();
    store.faults.plan('PutItem', 'reset', 'reset', 'reset');
    store.faults.plan('GetItem', 'reset');
    const response = await send('POST', petId, { name: 'Never' });
    expect(response.statusCode).toBe(503);
    expect((await send('GET', petId)).statusCode).toBe(404);
  });
});

describe('a PUT whose response is lost', () => {
  it('answers 201 when it created the pet, not 200', async () => {
    const petId = newPetId();
    store.faults.plan('UpdateItem', 'lose-response');
    const response = await send('PUT', petId, { name: 'New' });

    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/petstore/pets/${petId}`);
    expect(response.json()).toEqual((await send('GET', petId)).json());
  });

  it('answers 200 when it replaced a pet, keeping its createdAt', async () => {
    const petId = newPetId();
    const original = (await send('POST', petId, { name: 'Old' })).json();
    store.faults.plan('UpdateItem', 'lose-response');
    const response = await send('PUT', petId, { name: 'Replaced' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'Replaced', createdAt: original.createdAt });
  });

  it('answers 201 when every retry fails but a read shows it created the pet', async () => {
    const petId = newPetId();
    store.faults.plan('UpdateItem', 'lose-response', 'reset', 'reset');
    const response = await send('PUT', petId, { name: 'Landed' });
    expect(response.statusCode).toBe(201);
  });
});

describe('a DELETE whose response is lost', () => {
  it('answers 204 for the pet it deleted, not 404', async () => {
    const petId = newPetId();
    await send('POST', petId, { name: 'Doomed' });
    store.faults.plan('DeleteItem', 'lose-response');
    const response = await send('DELETE', petId);

    expect(response.statusCode).toBe(204);
    expect((await send('GET', petId)).statusCode).toBe(404);
  });

  it('answers 204 when the mark before the delete lost its response', async () => {
    const petId = newPetId();
    await send('POST', petId, { name: 'Doomed' });
    store.faults.plan('UpdateItem', 'lose-response');
    expect((await send('DELETE', petId)).statusCode).toBe(204);
    expect((await send('GET', petId)).statusCode).toBe(404);
  });

  it('answers 204 when every retry fails but a read shows the pet is gone', async () => {
    const petId = newPetId();
    await send('POST', petId, { name: 'Doomed' });
    store.faults.plan('DeleteItem', 'lose-response', 'reset', 'reset');
    expect((await send('DELETE', petId)).statusCode).toBe(204);
  });

  it('still answers 404 for a pet that never existed', async () => {
    store.faults.plan('UpdateItem', 'lose-response');
    expect((await send('DELETE', newPetId())).statusCode).toBe(404);
  });

  it('lets exactly one of many concurrent DELETEs of one pet answer 204', async () => {
    const petId = newPetId();
    await send('POST', petId, { name: 'Popular' });
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => send('DELETE', petId)))).map(
      (response) => response.statusCode,
    );
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.every((status) => [204, 404, 409].includes(status))).toBe(true);
  });
});

describe('the SDK’s retries', () => {
  it('still carry a throttled write through', async () => {
    const petId = newPetId();
    store.faults.plan('PutItem', 'throttle');
    const response = await send('POST', petId, { name: 'Patient' });
    expect(response.statusCode).toBe(201);
  });
});

// The pet API's errors, request ids and request log lines.
import { buildApp } from '../../app/app';
import { createTable, productionOptions } from './helpers';
import { expectError, UUID, usePetApp } from './pet-app';

const pets = usePetApp();
const { newPetId, send } = pets;

describe('errors', () => {
  it('answers 404 in JSON for an unknown route, without quoting the path', async () => {
    const response = await send('GET', `/pets/${'p'.repeat(2000)}`);
    expectError(response, 404, /^No route for GET at this path$/);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const response = await send('POST', `/petstore/pets/${newPetId()}`, {
      name: 'a',
      tag: 'x'.repeat(17 * 1024),
    });
    expectError(response, 413, /too large/i);
  });

  it('answers 415 for a write that is not JSON', async () => {
    const petId = newPetId();
    for (const method of ['POST', 'PUT'] as const) {
      const text = await pets.app().inject({
        method,
        url: `/petstore/pets/${petId}`,
        payload: '{"name":"a"}',
        headers: { 'content-type': 'text/plain' },
      });
      expectError(text, 415, /^Send the pet as JSON, with Content-Type: application\/json$/);
      const form = await pets.app().inject({
        method,
        url: `/petstore/pets/${petId}`,
        payload: 'name=a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectError(form, 415, /^Send the pet as JSON/);
      const none = await pets.app().inject({ method, url: `/petstore/pets/${petId}` });
      expectError(none, 415, /^Send the pet as JSON/);
      const untyped = await pets
        .app()
        .inject({ method, url: `/petstore/pets/${petId}`, payload: '{"name":"a"}' });
      expectError(untyped, 415, /^Send the pet as JSON/);
    }
    expect((await send('GET', `/petstore/pets/${petId}`)).statusCode).toBe(404);
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await pets.app().inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expectError(response, 400, /JSON/);
  });

  it('hides internal detail on 500', async () => {
    // A table that does not exist: DynamoDB answers ResourceNotFoundException, a fault of ours.
    const misconfigured = buildApp(productionOptions(pets.dynamodbEndpoint(), 'no-such-table'));
    try {
      const response = await misconfigured.inject({ method: 'GET', url: '/petstore/pets/x' });
      expectError(response, 500, /^Internal error; quote request id \S+ when reporting it$/);
      expect(response.body).not.toMatch(/no-such-table|ResourceNotFound|at .*\.ts/);
    } finally {
      await misconfigured.close();
    }
  });

  it('sends no x-powered-by header', async () => {
    const response = await send('GET', '/health');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});

describe('request id', () => {
  it('echoes a well-formed x-request-id', async () => {
    const response = await pets.app().inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'Abc-123_x.y:z=' },
    });
    expect(response.headers['x-request-id']).toBe('Abc-123_x.y:z=');
  });

  it.each([
    ['none is sent', undefined],
    ['it is too long', 'a'.repeat(129)],
    ['it has spaces', 'a b'],
    ['it has quotes', 'a"b'],
  ])('creates a UUID when %s', async (_, given) => {
    const response = await pets.app().inject({
      method: 'GET',
      url: '/petstore/pets/nobody-here',
      headers: given === undefined ? {} : { 'x-request-id': given },
    });
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});

describe('request logging', () => {
  it('writes one JSON line per request, with the request id and without the body', async () => {
    const lines: string[] = [];
    const logged = buildApp({
      ...productionOptions(pets.dynamodbEndpoint(), await createTable(pets.dynamodbEndpoint())),
      logLevel: 'info',
      logStream: { write: (line) => lines.push(line) },
    });
    try {
      await logged.ready();
      lines.length = 0;
      const response = await logged.inject({
        method: 'POST',
        url: '/petstore/pets/logged',
        payload: { name: 'Secret Name' },
        headers: { 'x-request-id': 'trace-1' },
      });
      expect(response.statusCode).toBe(201);

      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0] ?? '');
      expect(line).toMatchObject({
        level: 30,
        reqId: 'trace-1',
        method: 'POST',
        url: '/petstore/pets/logged',
        statusCode: 201,
        responseTime: expect.any(Number),
      });
      expect(lines[0]).not.toContain('Secret Name');
    } finally {
      await logged.close();
    }
  });
});

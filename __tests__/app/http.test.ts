import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../app/app';
import { createTable, portOf, productionOptions, startStoreBehindFaults } from './helpers';
import { expectApiError, parseRaw, raw } from './raw-http';

// Errors in the API's shape, input rules and HTTP semantics; over `inject`, and over a real port
// where Node's HTTP parser or the bytes on the wire are what is tested.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let store: Awaited<ReturnType<typeof startStoreBehindFaults>>;
let app: FastifyInstance;
let baseUrl: string;
const logLines: string[] = [];
let counter = 0;

beforeAll(async () => {
  store = await startStoreBehindFaults();
  app = buildApp({
    ...productionOptions(store.faults.endpoint, store.tableName),
    logLevel: 'info',
    logStream: { write: (line) => logLines.push(line) },
  });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

function newPetId(): string {
  counter += 1;
  return `http-${counter}`;
}

function inject(options: InjectOptions) {
  return app.inject(options);
}

describe('every error in the API’s shape', () => {
  it('answers bad percent-encoding with 400, a request id and a log line, quoting nothing', async () => {
    logLines.length = 0;
    const response = await inject({
      method: 'GET',
      url: '/petstore/pets/%zz',
      headers: { 'x-request-id': 'bad-url-1' },
    });
    expectApiError(response, 400, /^The URL is not validly percent-encoded$/);
    expect(response.headers['x-request-id']).toBe('bad-url-1');
    expect(response.body).not.toContain('%zz');
    await vi.waitFor(() => expect(logLines.some((line) => line.includes('"reqId":"bad-url-1"'))).toBe(true));
  });

  it('answers an over-long petId with the 400 of any bad petId, not 414 echoing the path', async () => {
    const petId = 'x'.repeat(5000);
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await inject({ method, url: `/petstore/pets/${petId}` });
      expectApiError(response, 400, /^params\/petId must be 1-64 characters/);
      expect(response.body).not.toContain('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
    }
  });

  it('answers malformed JSON without quoting it', async () => {
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: '{"name": "secret-value',
      headers: { 'content-type': 'application/json' },
    });
    expectApiError(response, 400, /^Body is not valid JSON$/);
    expect(response.body).not.toContain('secret-value');
  });

  it('cuts short the unknown property names it quotes', async () => {
    const name = 'p'.repeat(5000);
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: { name: 'a', [name]: 1 },
    });
    expectApiError(response, 400, /^body must not have property 'p{40}…'$/);
    const query = await inject({ method: 'GET', url: `/petstore/pets?${name}=1` });
    expectApiError(query, 400, /^querystring must not have property 'p{40}…'$/);
  });

  it('answers HTTP that Node’s parser refuses (a bad chunked body) in the API’s shape, with a request id', async () => {
    const answer = parseRaw(
      await raw(
        baseUrl,
        'POST /petstore/pets/x HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      ),
    );
    expectApiError(answer, 400, /^The request is not valid HTTP\/1\.1$/);
    expect(answer.headers['x-request-id']).toMatch(UUID);
  });

  it('answers headers over Node’s limit with 431 in the API’s shape', async () => {
    const answer = parseRaw(
      await raw(baseUrl, `GET /health HTTP/1.1\r\nhost: a\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`),
    );
    expectApiError(answer, 431, /^Request headers are too large$/);
  });
});

describe('input rules', () => {
  it.each(['.', '..'])('refuses the petId %s, which clients normalise away', async (petId) => {
    // Over a real port, as a client that does not normalise the path sends it.
    const answer = parseRaw(
      await raw(baseUrl, `GET /petstore/pets/${petId} HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n`),
    );
    expectApiError(
      answer,
      400,
      /^params\/petId must be 1-64 characters of A-Z a-z 0-9 _ \. -, other than \. and \.\.$/,
    );
    const put = parseRaw(
      await raw(
        baseUrl,
        `PUT /petstore/pets/${petId} HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\ncontent-length: 12\r\nconnection: close\r\n\r\n{"name":"a"}`,
      ),
    );
    expectApiError(put, 400, /^params\/petId/);
  });

  it('still accepts petIds with dots elsewhere', async () => {
    const petId = `.a.${newPetId()}..`;
    expect(
      (await inject({ method: 'PUT', url: `/petstore/pets/${petId}`, payload: { name: 'a' } })).statusCode,
    ).toBe(201);
  });

  it.each([
    ['a control character', 'name', 'Spot\u0007'],
    ['a newline', 'tag', 'a\nb'],
    ['DEL', 'species', 'dog\u007f'],
    ['an unpaired surrogate', 'name', 'Spot\ud800'],
    ['a lone low surrogate', 'tag', '\udc00x'],
    ['a bidi override', 'name', 'Spot\u202egod'],
    ['a zero-width space', 'species', 'd\u200bog'],
    ['a byte order mark', 'name', '\ufeffSpot'],
    ['only whitespace', 'name', ' \t\u3000 '],
  ])('refuses text with %s', async (_, field, value) => {
    const petId = newPetId();
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${petId}`,
      payload: JSON.stringify({ name: 'Spot', [field]: value }),
      headers: { 'content-type': 'application/json' },
    });
    expectApiError(
      response,
      400,
      new RegExp(`^body/${field} must be text without control, format or bidi characters`),
    );
  });

  it('accepts letters, spaces inside, and astral characters', async () => {
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: { name: ' Ĺuna the 🐕 ', species: 'chien', tag: '名前' },
    });
    expect(response.statusCode).toBe(201);
  });

  it.each(['iso-8859-1', '"latin1"', 'utf-16'])('answers 415 for a body in charset %s', async (charset) => {
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: Buffer.from('{"name":"Caf\xe9"}', 'latin1'),
      headers: { 'content-type': `application/json; charset=${charset}` },
    });
    expectApiError(response, 415, /UTF-8/);
  });

  it('accepts charset=utf-8 in any case', async () => {
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: '{"name":"Café"}',
      headers: { 'content-type': 'application/json; charset="UTF-8"' },
    });
    expect(response.statusCode).toBe(201);
  });

  it('answers 400 for a body that is not valid UTF-8', async () => {
    const response = await inject({
      method: 'POST',
      url: `/petstore/pets/${newPetId()}`,
      payload: Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
      headers: { 'content-type': 'application/json' },
    });
    expectApiError(response, 400, /^Body is not valid UTF-8$/);
  });

  it('answers 415 for a Content-Encoding it cannot read, saying what it accepts', async () => {
    const response = await inject({
      method: 'PUT',
      url: `/petstore/pets/${newPetId()}`,
      payload: '{"name":"a"}',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expectApiError(response, 415, /Content-Encoding/);
    expect(response.headers['accept-encoding']).toBe('identity');
  });

  it('refuses unknown query parameters alike on every route', async () => {
    const petId = newPetId();
    const cases: InjectOptions[] = [
      { method: 'GET', url: '/petstore/pets?x=1' },
      { method: 'GET', url: `/petstore/pets/${petId}?x=1` },
      { method: 'POST', url: `/petstore/pets/${petId}?x=1`, payload: { name: 'a' } },
      { method: 'PUT', url: `/petstore/pets/${petId}?x=1`, payload: { name: 'a' } },
      { method: 'DELETE', url: `/petstore/pets/${petId}?x=1` },
      { method: 'GET', url: '/health?x=1' },
    ];
    for (const options of cases) {
      expectApiError(await inject(options), 400, /^querystring must not have property 'x'$/);
    }
    expect((await inject({ method: 'GET', url: `/petstore/pets/${petId}` })).statusCode).toBe(404);
  });
});

describe('HTTP semantics', () => {
  it.each([
    ['PATCH', `/petstore/pets/some-pet`, 'GET, HEAD, POST, PUT, DELETE'],
    ['OPTIONS', `/petstore/pets/some-pet`, 'GET, HEAD, POST, PUT, DELETE'],
    ['POST', '/petstore/pets', 'GET, HEAD'],
    ['DELETE', '/petstore/pets?limit=1', 'GET, HEAD'],
    ['PUT', '/health', 'GET, HEAD'],
  ] as const)('answers %s on %s with 405 and Allow', async (method, url, allow) => {
    const response = await inject({ method, url, payload: method === 'OPTIONS' ? undefined : { name: 'a' } });
    expectApiError(response, 405, new RegExp(`^${method} is not allowed here; use ${allow}$`));
    expect(response.headers.allow).toBe(allow);
  });

  it('marks every answer nosniff and no-store, errors included', async () => {
    for (const url of [
      '/health',
      '/petstore/pets/nobody',
      '/nowhere',
      '/petstore/pets/%zz',
      '/petstore/pets',
    ]) {
      const response = await inject({ method: 'GET', url });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
    }
    const refused = parseRaw(await raw(baseUrl, 'GARBAGE\r\n\r\n'));
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD on the list without a Scan', async () => {
    const before = store.faults.calls.length;
    const response = await inject({ method: 'HEAD', url: '/petstore/pets?limit=5' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(store.faults.calls.slice(before)).toEqual([]);
    expectApiError(await inject({ method: 'GET', url: '/petstore/pets?limit=500' }), 400, /limit/);
    expect((await inject({ method: 'HEAD', url: '/petstore/pets?limit=500' })).statusCode).toBe(400);
  });

  describe('a page that reaches the end of the table', () => {
    let listApp: FastifyInstance;

    beforeAll(async () => {
      listApp = buildApp(
        productionOptions(store.dynamodb.endpoint, await createTable(store.dynamodb.endpoint)),
      );
      for (let i = 0; i < 30; i++) {
        await listApp.inject({
          method: 'PUT',
          url: `/petstore/pets/end-${i}`,
          payload: { name: `Pet ${i}` },
        });
      }
    });

    afterAll(async () => {
      await listApp?.close();
    });

    it('has no nextCursor, so the client gets no empty last page', async () => {
      const whole = (await listApp.inject({ method: 'GET', url: '/petstore/pets?limit=30' })).json();
      expect(whole.items).toHaveLength(30);
      expect(whole.nextCursor).toBeNull();

      const pages: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: unknown[]; nextCursor: string | null } = (
          await listApp.inject({
            method: 'GET',
            url: `/petstore/pets?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
          })
        ).json();
        pages.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 10);
      expect(pages).toEqual([10, 10, 10]);
    });
  });

  describe('store answers that are transient', () => {
    let expiring: Server;
    let expiringApp: FastifyInstance;

    beforeAll(async () => {
      // Answers as DynamoDB does while the task role's credentials have expired and are being refreshed.
      expiring = createServer((request, response) => {
        request.resume();
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#ExpiredTokenException',
            message: 'The security token included in the request is expired',
          }),
        );
      });
      expiring.listen(0, '127.0.0.1');
      await once(expiring, 'listening');
      expiringApp = buildApp(productionOptions(`http://127.0.0.1:${portOf(expiring)}`, 'pets'));
    });

    afterAll(async () => {
      await expiringApp?.close();
      expiring?.closeAllConnections();
      await new Promise((resolve) => expiring?.close(resolve));
    });

    it('answer 503 with Retry-After for a reply that is not JSON', async () => {
      store.faults.plan('GetItem', 'not-json', 'not-json', 'not-json');
      const response = await inject({ method: 'GET', url: '/petstore/pets/anyone' });
      expectApiError(response, 503, /temporarily unavailable/);
      expect(response.headers['retry-after']).toBe('1');
      store.faults.plan('GetItem');
    });

    it('answer 503 with Retry-After while credentials are expired', async () => {
      const response = await expiringApp.inject({ method: 'GET', url: '/petstore/pets/anyone' });
      expectApiError(response, 503, /temporarily unavailable/);
      expect(response.headers['retry-after']).toBe('1');
    });
  });
});

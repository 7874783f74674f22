import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app/app';
import { createTable, productionOptions } from './helpers';
import { expectError, ISO_TIMESTAMP, usePetApp } from './pet-app';

const pets = usePetApp();
const { newPetId, send } = pets;

describe('GET /health', () => {
  it('answers 200 ok', async () => {
    const response = await pets.app().inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('does not call DynamoDB, so it stays healthy while DynamoDB is unreachable', async () => {
    const unreachable = buildApp(productionOptions('http://127.0.0.1:1', 'pets'));
    try {
      const health = await unreachable.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      // The same app cannot reach DynamoDB at all: the pet routes answer 503.
      const pet = await unreachable.inject({ method: 'GET', url: '/petstore/pets/x' });
      expect(pet.statusCode).toBe(503);
    } finally {
      await unreachable.close();
    }
  });
});

describe('POST /petstore/pets/{petId}', () => {
  it('creates the pet: 201, the pet with service-set timestamps, and its Location', async () => {
    const petId = newPetId();
    const response = await send('POST', `/petstore/pets/${petId}`, {
      name: 'Spot',
      species: 'dog',
      age: 3,
      tag: 'x',
    });

    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/petstore/pets/${petId}`);
    const pet = response.json();
    expect(pet).toEqual({
      petId,
      name: 'Spot',
      species: 'dog',
      age: 3,
      tag: 'x',
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: pet.createdAt,
    });
    expect((await send('GET', `/petstore/pets/${petId}`)).json()).toEqual(pet);
  });

  it('returns only the fields that were given', async () => {
    const petId = newPetId();
    const response = await send('POST', `/petstore/pets/${petId}`, { name: 'Spot' });
    expect(Object.keys(response.json()).sort()).toEqual(['createdAt', 'name', 'petId', 'updatedAt']);
  });

  it('answers 409 when the pet exists, and overwrites nothing', async () => {
    const petId = newPetId();
    const first = await send('POST', `/petstore/pets/${petId}`, { name: 'First' });
    const second = await send('POST', `/petstore/pets/${petId}`, { name: 'Second', tag: 'new' });

    expectError(second, 409, new RegExp(`'${petId}' already exists`));
    expect((await send('GET', `/petstore/pets/${petId}`)).json()).toEqual(first.json());
  });

  it('lets exactly one of many concurrent creates of one id win', async () => {
    const petId = newPetId();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send('POST', `/petstore/pets/${petId}`, { name: `Racer ${i}` })),
    );

    const created = responses.filter((response) => response.statusCode === 201);
    expect(created).toHaveLength(1);
    expect(responses.filter((response) => response.statusCode === 409)).toHaveLength(19);
    expect((await send('GET', `/petstore/pets/${petId}`)).json()).toEqual(created[0]?.json());
  });

  it('accepts a petId in the body that equals the path’s', async () => {
    const petId = newPetId();
    const response = await send('POST', `/petstore/pets/${petId}`, { petId, name: 'Spot' });
    expect(response.statusCode).toBe(201);
  });

  it('refuses a petId in the body that differs from the path’s', async () => {
    const petId = newPetId();
    const response = await send('POST', `/petstore/pets/${petId}`, { petId: 'other', name: 'Spot' });
    expectError(response, 400, /body\/petId .*must equal the petId in the path/);
    expect((await send('GET', `/petstore/pets/${petId}`)).statusCode).toBe(404);
  });
});

describe('GET /petstore/pets/{petId}', () => {
  it('answers 404 for an unknown pet', async () => {
    expectError(await send('GET', '/petstore/pets/nobody-here'), 404, /Pet 'nobody-here' not found/);
  });
});

describe('PUT /petstore/pets/{petId}', () => {
  it('creates a missing pet: 201 and its Location', async () => {
    const petId = newPetId();
    const response = await send('PUT', `/petstore/pets/${petId}`, { name: 'Rex', age: 0 });

    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/petstore/pets/${petId}`);
    const pet = response.json();
    expect(pet).toEqual({
      petId,
      name: 'Rex',
      age: 0,
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: pet.createdAt,
    });
    expect((await send('GET', `/petstore/pets/${petId}`)).json()).toEqual(pet);
  });

  it('replaces an existing pet whole: 200, createdAt kept, fields not sent removed', async () => {
    const petId = newPetId();
    const original = (
      await send('POST', `/petstore/pets/${petId}`, { name: 'Rex', tag: 'old', age: 4 })
    ).json();

    const response = await send('PUT', `/petstore/pets/${petId}`, { name: 'Rex II', species: 'cat' });

    expect(response.statusCode).toBe(200);
    expect(response.headers.location).toBeUndefined();
    const replaced = response.json();
    expect(replaced).toEqual({
      petId,
      name: 'Rex II',
      species: 'cat',
      createdAt: original.createdAt,
      updatedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(replaced.updatedAt >= original.updatedAt).toBe(true);
    expect((await send('GET', `/petstore/pets/${petId}`)).json()).toEqual(replaced);
  });

  it('validates the body like POST', async () => {
    const petId = newPetId();
    expectError(await send('PUT', `/petstore/pets/${petId}`, { name: '' }), 400, /body\/name/);
    expectError(
      await send('PUT', `/petstore/pets/${petId}`, { petId: 'other', name: 'x' }),
      400,
      /body\/petId/,
    );
    expect((await send('GET', `/petstore/pets/${petId}`)).statusCode).toBe(404);
  });
});

describe('DELETE /petstore/pets/{petId}', () => {
  it('deletes the pet: 204 with no body, then it is gone', async () => {
    const petId = newPetId();
    await send('POST', `/petstore/pets/${petId}`, { name: 'Gone soon' });

    const response = await send('DELETE', `/petstore/pets/${petId}`);

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await send('GET', `/petstore/pets/${petId}`)).statusCode).toBe(404);
  });

  it('answers 404 for an unknown pet', async () => {
    expectError(await send('DELETE', '/petstore/pets/nobody-here'), 404, /Pet 'nobody-here' not found/);
  });
});

describe('GET /petstore/pets', () => {
  let listApp: FastifyInstance;
  const petIds: string[] = [];

  beforeAll(async () => {
    // A table of its own, so the count is exact.
    listApp = buildApp(
      productionOptions(pets.dynamodbEndpoint(), await createTable(pets.dynamodbEndpoint())),
    );
    for (let i = 0; i < 45; i++) {
      const petId = `listed-${String(i).padStart(2, '0')}`;
      petIds.push(petId);
      const response = await listApp.inject({
        method: 'POST',
        url: `/petstore/pets/${petId}`,
        payload: { name: petId },
      });
      expect(response.statusCode).toBe(201);
    }
  });

  afterAll(async () => {
    await listApp?.close();
  });

  async function list(query: string) {
    return listApp.inject({ method: 'GET', url: `/petstore/pets${query}` });
  }

  it('pages through every pet exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await list(`?limit=20${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(response.statusCode).toBe(200);
      const page = response.json();
      expect(page.items.length).toBeLessThanOrEqual(20);
      seen.push(...page.items.map((pet: { petId: string }) => pet.petId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);

    expect(cursor).toBeNull();
    expect(seen.sort()).toEqual(petIds);
  });

  it('returns whole pets and 20 of them by default', async () => {
    const page = (await list('')).json();
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(page.items[0]).toEqual({
      petId: expect.stringMatching(/^listed-/),
      name: page.items[0].petId,
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      updatedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
  });

  it('accepts limits from 1 to 100', async () => {
    expect((await list('?limit=1')).json().items).toHaveLength(1);
    const all = (await list('?limit=100')).json();
    expect(all.items).toHaveLength(45);
    expect(all.nextCursor).toBeNull();
  });

  it.each(['0', '101', '-1', '1.5', 'abc', '', '020'])('refuses limit=%s', async (limit) => {
    expectError(await list(`?limit=${limit}`), 400, /querystring\/limit must be an integer from 1 to 100/);
  });

  it.each([
    ['not base64url', '***'],
    ['not a petId inside', Buffer.from('a b', 'utf8').toString('base64url')],
    ['too long', 'A'.repeat(200)],
  ])('refuses a cursor that is %s', async (_, cursor) => {
    expectError(await list(`?cursor=${encodeURIComponent(cursor)}`), 400, /querystring\/cursor/);
  });

  it('refuses unknown query parameters', async () => {
    expectError(await list('?limt=5'), 400, /querystring must not have property 'limt'/);
  });

  it('answers an empty page for an empty table', async () => {
    const empty = buildApp(
      productionOptions(pets.dynamodbEndpoint(), await createTable(pets.dynamodbEndpoint())),
    );
    try {
      const response = await empty.inject({ method: 'GET', url: '/petstore/pets' });
      expect(response.json()).toEqual({ items: [], nextCursor: null });
    } finally {
      await empty.close();
    }
  });
});

describe('input validation', () => {
  const long = (n: number) => 'x'.repeat(n);

  it.each([
    ['no name', { species: 'dog' }, /body must have required property 'name'/],
    ['an empty name', { name: '' }, /body\/name must NOT have fewer than 1 characters/],
    ['a name of 101 characters', { name: long(101) }, /body\/name must NOT have more than 100 characters/],
    ['a number as name', { name: 123 }, /body\/name must be string/],
    ['an empty species', { name: 'a', species: '' }, /body\/species/],
    ['a species of 51 characters', { name: 'a', species: long(51) }, /body\/species/],
    ['an empty tag', { name: 'a', tag: '' }, /body\/tag/],
    ['a tag of 51 characters', { name: 'a', tag: long(51) }, /body\/tag/],
    ['a negative age', { name: 'a', age: -1 }, /body\/age must be >= 0/],
    ['an age over 200', { name: 'a', age: 201 }, /body\/age must be <= 200/],
    ['a fractional age', { name: 'a', age: 1.5 }, /body\/age must be integer/],
    ['an age as a string', { name: 'a', age: '5' }, /body\/age must be integer/],
    ['a null field', { name: 'a', tag: null }, /body\/tag must be string/],
    ['an unknown property', { name: 'a', color: 'red' }, /body must not have property 'color'/],
    ['an array', [{ name: 'a' }], /body must be object/],
    ['a string', 'Spot', /body must be object/],
    ['null', null, /body must be object/],
  ])('refuses a body with %s', async (_, body, message) => {
    const petId = newPetId();
    expectError(await send('POST', `/petstore/pets/${petId}`, body), 400, message);
    expect((await send('GET', `/petstore/pets/${petId}`)).statusCode).toBe(404);
  });

  it('accepts every field at its limits', async () => {
    const body = { name: long(100), species: long(50), tag: long(50), age: 200 };
    expect((await send('POST', `/petstore/pets/${newPetId()}`, body)).statusCode).toBe(201);
    expect(
      (await send('POST', `/petstore/pets/${newPetId()}`, { name: 'a', species: 'b', tag: 'c', age: 0 }))
        .statusCode,
    ).toBe(201);
  });

  it('counts characters, not bytes', async () => {
    const response = await send('POST', `/petstore/pets/${newPetId()}`, { name: '🐕'.repeat(100) });
    expect(response.statusCode).toBe(201);
    expect(response.json().name).toBe('🐕'.repeat(100));
  });

  it('accepts a petId of 64 characters from the whole allowed set', async () => {
    const petId = `Az09_.-${'x'.repeat(57)}`;
    expect(petId).toHaveLength(64);
    expect((await send('PUT', `/petstore/pets/${petId}`, { name: 'a' })).statusCode).toBe(201);
    expect((await send('GET', `/petstore/pets/${petId}`)).statusCode).toBe(200);
  });

  it.each([
    ['65 characters', 'x'.repeat(65)],
    ['500 characters', 'x'.repeat(500)],
    ['a space', 'a%20b'],
    ['a star', 'a*b'],
    ['a non-ASCII letter', 'caf%C3%A9'],
  ])('answers 400 for a petId with %s, on every route', async (_, petId) => {
    for (const method of ['GET', 'DELETE'] as const) {
      expectError(
        await send(method, `/petstore/pets/${petId}`),
        400,
        /params\/petId must be 1-64 characters/,
      );
    }
    for (const method of ['POST', 'PUT'] as const) {
      expectError(await send(method, `/petstore/pets/${petId}`, { name: 'a' }), 400, /params\/petId/);
    }
  });
});

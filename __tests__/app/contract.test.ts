// The OpenAPI document against the service: requests made from the document's own schemas (valid
// values, values just outside them, junk), sent over real HTTP to the service on a real local
// DynamoDB; every answer must be one the document lists for the operation, its body as described.
import { request } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app/app';
import { generateDocument } from '../../scripts/openapi/cli';
import { createTable, portOf, productionOptions, startLocalDynamoDb } from './helpers';

interface Schema {
  type?: string | string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  required?: string[];
  properties?: Record<string, Schema>;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

// Dereferenced: each schema whole, as ajv compiles it alone.
const validator = new Validator();
await validator.validate((await generateDocument()) as never);
const document = validator.resolveRefs() as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
);
const byId = new Map(operations.map(({ operation }) => [operation.operationId, operation]));
const ajv = new Ajv2020({ strict: false, allErrors: true });

/**
 * Strings a pattern accepts. fast-check generates from a regular expression without lookaheads or
 * `\p{Cs}`; otherwise from any text. The whole pattern and the lengths are checked after.
 */
function matching(schema: Schema): fc.Arbitrary<string> {
  const pattern = schema.pattern ?? '^.*$';
  const whole = new RegExp(pattern, 'u');
  const lengths = { minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 64) };
  const candidates = /\(\?[!=]|\\p\{Cs\}/.test(pattern.replace(/^\^\(\?![^)]*\)/, '^'))
    ? fc.string({ unit: 'grapheme', ...lengths })
    : fc.stringMatching(new RegExp(pattern.replace(/^\^\(\?![^)]*\)/, '^'), 'u'));
  return candidates.filter(
    (text) =>
      whole.test(text) && text.length >= lengths.minLength && text.length <= (schema.maxLength ?? Infinity),
  );
}

/** Mostly what the schema accepts; sometimes a value just outside it, or anything at all. */
function arbitraryOf(schema: Schema): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.string(), fc.jsonValue());
  if (schema.type === 'object') {
    const properties = Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([name, property]) => [name, arbitraryOf(property)]),
    );
    const valid = fc.record(properties, { requiredKeys: schema.required ?? [] });
    const extra = fc.tuple(valid, fc.string({ minLength: 1 }), junk).map(([v, k, x]) => ({ ...v, [k]: x }));
    const missing = fc.record(properties, { requiredKeys: [] });
    return fc.oneof({ arbitrary: valid, weight: 12 }, extra, missing, junk);
  }
  if (schema.type === 'integer') {
    const [min, max] = [schema.minimum ?? -1000, schema.maximum ?? 1000];
    return fc.oneof(
      { arbitrary: fc.integer({ min, max }), weight: 8 },
      fc.integer({ min: min - 3, max: max + 3 }),
      junk,
    );
  }
  return fc.oneof({ arbitrary: matching(schema), weight: 8 }, fc.string({ maxLength: 300 }));
}

/** A few ids, so that requests meet each other's pets; now and then any id at all. */
const petId = fc.oneof(
  { arbitrary: fc.constantFrom('rex', 'spot'), weight: 12 },
  fc.string({ maxLength: 70 }),
  fc.constantFrom('.', '..', 'a'.repeat(65)),
);

function parameterValue(parameter: Parameter): fc.Arbitrary<string | undefined> {
  const value =
    parameter.in === 'path'
      ? petId
      : parameter.in === 'header'
        ? fc.oneof({ arbitrary: fc.uuid(), weight: 4 }, fc.stringMatching(/^[\x21-\x7e]{1,300}$/))
        : arbitraryOf(parameter.schema).map(String);
  // An optional parameter is left out half the time.
  return parameter.required ? value : fc.option(value, { nil: undefined, freq: 1 });
}

interface Call {
  operationId: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const calls: fc.Arbitrary<Call> = fc.oneof(
  ...operations.map(({ method, path, operation }) => {
    const parameters = operation.parameters ?? [];
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    return fc
      .record({
        values: fc.tuple(...parameters.map(parameterValue)),
        unknownQuery: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        body: bodySchema
          ? fc.oneof(
              {
                arbitrary: fc.record({
                  type: fc.constant('application/json'),
                  value: arbitraryOf(bodySchema),
                }),
                weight: 8,
              },
              fc.record({ type: fc.constantFrom('text/plain', 'application/json'), value: fc.string() }),
            )
          : fc.constant(undefined),
        // A body's petId is mostly the path's, as the API asks.
        samePetId: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      })
      .map(({ values, unknownQuery, body, samePetId }): Call => {
        let url = path;
        const query = new URLSearchParams();
        const headers: Record<string, string> = {};
        parameters.forEach((parameter, index) => {
          const value = values[index];
          if (value === undefined) return;
          if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodeURIComponent(value));
          else if (parameter.in === 'query') query.set(parameter.name, value);
          else headers[parameter.name] = value;
        });
        if (unknownQuery) query.set('unknown', '1');
        if (body) headers['content-type'] = body.type;
        const pathPetId = values[parameters.findIndex((parameter) => parameter.in === 'path')];
        if (samePetId && typeof body?.value === 'object' && body.value !== null && 'petId' in body.value)
          body.value = { ...body.value, petId: pathPetId };
        return {
          operationId: operation.operationId,
          method,
          path: query.size > 0 ? `${url}?${query}` : url,
          headers,
          body: typeof body?.value === 'string' ? body.value : body && JSON.stringify(body.value),
        };
      });
  }),
);

function send(port: number, call: Call): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: call.method, path: call.path, headers: call.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }),
        );
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

describe('the service keeps to its OpenAPI document', () => {
  let app: FastifyInstance;
  let port: number;
  let closeDynamoDb: () => Promise<void>;

  beforeAll(async () => {
    const dynamodb = await startLocalDynamoDb();
    closeDynamoDb = dynamodb.close;
    app = buildApp(productionOptions(dynamodb.endpoint, await createTable(dynamodb.endpoint)));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = portOf(app.server);
  });
  afterAll(async () => {
    await app.close();
    await closeDynamoDb();
  });

  test('every answer to every documented operation has a documented status and a body of its schema', async () => {
    const answered = new Map<string, number[]>();
    await fc.assert(
      fc.asyncProperty(fc.array(calls, { minLength: 1, maxLength: 10 }), async (sequence) => {
        for (const call of sequence) {
          const { status, type, body } = await send(port, call);
          const where = `${call.method} ${call.path} answered ${status}: ${body}`;
          const documented = byId.get(call.operationId)?.responses[String(status)];
          expect(documented, `${where}: not a documented status`).toBeDefined();
          // The store is healthy: a 5xx here would be a bug, whatever the document says.
          expect(status, where).toBeLessThan(500);
          const schema = documented?.content?.['application/json']?.schema;
          if (schema) {
            expect(type, where).toBe('application/json; charset=utf-8');
            const validate = ajv.compile(schema);
            expect(validate(JSON.parse(body)), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
          } else {
            expect(body, where).toBe('');
          }
          answered.set(call.operationId, [...(answered.get(call.operationId) ?? []), status]);
        }
      }),
      { numRuns: 60 },
    );
    // Every operation was driven, and each succeeded at least once (not only refused).
    for (const { operation } of operations) {
      const statuses = answered.get(operation.operationId) ?? [];
      expect(
        statuses.some((status) => status < 300),
        `${operation.operationId}: ${statuses}`,
      ).toBe(true);
    }
  });
});

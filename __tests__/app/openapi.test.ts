import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildApp } from '../../app/app';
import { fastifyPath, PET_ROUTES, WRITE_ROUTE_SCOPES } from '../../app/contract';
import { cognitoDiscoveryUrl, SECURITY_SCHEME } from '../../app/openapi-document';
import { COMMITTED_DOCUMENT, documentText, generateDocument, openApiCli } from '../../scripts/openapi/cli';
import { productionOptions } from './helpers';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, Operation['responses'][string]> };
  servers?: { url: string }[];
}

const generated = await generateDocument();
const document = generated as unknown as Document;
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
);

describe('the OpenAPI document', () => {
  test(`is committed as ${COMMITTED_DOCUMENT}, as the route schemas make it`, () => {
    const committed = readFileSync(COMMITTED_DOCUMENT, 'utf8');
    expect(
      committed === documentText(generated),
      `${COMMITTED_DOCUMENT} is stale: run \`npm run openapi\` and commit it`,
    ).toBe(true);
  });

  test('is valid OpenAPI 3.1 to a real validator, which refuses a broken copy', async () => {
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    const broken = structuredClone(document) as unknown as Record<string, unknown>;
    delete broken.info;
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  test('has exactly the routes of PET_ROUTES, each once, named as there', () => {
    expect(
      operations.map(({ method, path, operation }) => [operation.operationId, method, path]).sort(),
    ).toEqual(
      Object.entries(PET_ROUTES)
        .map(([name, route]) => [name, route.method, route.path])
        .sort(),
    );
  });

  test('each write needs a Cognito access token with the scope the gateway checks; reads need none', () => {
    for (const { operation, method, path } of operations) {
      const route = Object.values(PET_ROUTES).find((r) => r.method === method && r.path === path);
      if (route?.requiresToken) {
        expect(operation.security).toEqual([{ [SECURITY_SCHEME]: [...WRITE_ROUTE_SCOPES] }]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      } else {
        expect(operation.security).toBeUndefined();
      }
    }
  });

  test('every error status of the table in docs/api.md is documented, in the service error shape', () => {
    const table = [...readFileSync('docs/api.md', 'utf8').matchAll(/^\| (\d{3}) \|/gm)].map((m) => m[1]);
    expect(table.length).toBeGreaterThan(8);
    // HEAD answers have no body to describe.
    const answers = [
      ...operations
        .filter(({ method }) => method !== 'HEAD')
        .flatMap(({ operation }) => Object.entries(operation.responses)),
      ['405', document.components.responses.MethodNotAllowed] as const,
    ];
    for (const status of table) {
      const documented = answers.filter(([code]) => code === status);
      expect(documented.length, `status ${status}`).toBeGreaterThan(0);
      for (const [, answer] of documented) {
        expect(answer?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/Error');
      }
    }
  });

  test('every write takes Idempotency-Key, and documents what it answers (422; 409 while in flight)', () => {
    const writes = operations.filter(({ method }) => ['POST', 'PUT', 'DELETE'].includes(method));
    expect(writes).toHaveLength(3);
    for (const { operation } of writes) {
      expect(operation.parameters).toContainEqual(
        expect.objectContaining({ in: 'header', name: 'idempotency-key' }),
      );
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['409', '422']));
    }
  });
});

describe('GET /petstore/openapi.json', () => {
  test('serves the document to anyone: no token', async () => {
    const app = buildApp(productionOptions('http://127.0.0.1:9', 'pets'));
    try {
      const response = await app.inject({ method: 'GET', url: fastifyPath(PET_ROUTES.openApiDocument) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.json()).toEqual(document);
    } finally {
      await app.close();
    }
  });
});

describe('npm run openapi -- --stack', () => {
  const outputs = {
    api_endpoint: { value: 'https://abc123.execute-api.us-east-1.amazonaws.com', type: 'string' },
    user_pool_id: { value: 'us-east-1_AbCdEf123', type: 'string' },
    region: { value: 'us-east-1', type: 'string' },
  };

  test("writes a copy whose server is the stack's URL and whose security scheme is its pool", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      writeFileSync(join(dir, 'outputs.json'), JSON.stringify(outputs));
      const file = await openApiCli(
        ['--stack', 'petstore-dev', '--outputs-file', join(dir, 'outputs.json')],
        join(dir, 'cdktf.out'),
      );
      expect(file).toBe(join(dir, 'cdktf.out', 'openapi-petstore-dev.json'));
      const copy = JSON.parse(readFileSync(file, 'utf8'));
      expect(copy.servers).toEqual([{ url: outputs.api_endpoint.value, description: 'petstore-dev' }]);
      expect(copy.components.securitySchemes[SECURITY_SCHEME].openIdConnectUrl).toBe(
        cognitoDiscoveryUrl('us-east-1', 'us-east-1_AbCdEf123'),
      );
      expect(copy.paths).toEqual(document.paths);
      expect((await new Validator().validate(copy)).valid).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('names what is missing: an unknown stack, an output the stack lacks', async () => {
    await expect(openApiCli(['--stack', 'petstore-nope'])).rejects.toThrow(
      /unknown stack 'petstore-nope': expected one of petstore-dev/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const { user_pool_id: _, ...partial } = outputs;
      writeFileSync(join(dir, 'outputs.json'), JSON.stringify(partial));
      await expect(
        openApiCli(['--stack', 'petstore-dev', '--outputs-file', join(dir, 'outputs.json')], dir),
      ).rejects.toThrow(/lacks user_pool_id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

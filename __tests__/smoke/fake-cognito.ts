import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { portOf } from '../app/helpers';

const SMOKE_FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/smoke');

/** A fixture file's JSON, as Cognito recorded it. */
export function smokeFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SMOKE_FIXTURES, name), 'utf8'));
}

/** The access token in the recorded AdminInitiateAuth response: the one the gateway stand-in accepts. */
export const RECORDED_ACCESS_TOKEN = (
  smokeFixture('AdminInitiateAuth.json') as { AuthenticationResult: { AccessToken: string } }
).AuthenticationResult.AccessToken;

export interface CognitoCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const JSON_1_1 = 'application/x-amz-json-1.1';
// AWS documents these as "HTTP/1.1 200" with an empty body.
const EMPTY_BODY_OPERATIONS = new Set(['AdminSetUserPassword', 'AdminDeleteUser']);

/**
 * Cognito's JSON API on a loopback port: POST / with `x-amz-target:
 * AWSCognitoIdentityProviderService.<Operation>`. Answers each operation with its recorded response
 * (`<Operation>.json`), or an empty 200 body where AWS documents none. `responses` replaces an operation's answer with another fixture; one with a
 * `__type` is an error, sent with status 400 as Cognito does. Records every call.
 */
export async function startFakeCognito(responses: Record<string, string> = {}) {
  const calls: CognitoCall[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (
        request.method !== 'POST' ||
        request.url !== '/' ||
        !target.startsWith(TARGET_PREFIX) ||
        request.headers['content-type'] !== JSON_1_1
      ) {
        response.writeHead(400, { 'content-type': JSON_1_1 });
        response.end(JSON.stringify({ __type: 'UnknownOperationException' }));
        return;
      }
      const operation = target.slice(TARGET_PREFIX.length);
      calls.push({ operation, body: JSON.parse(text) });
      const fixture = responses[operation];
      const body =
        fixture === undefined && EMPTY_BODY_OPERATIONS.has(operation)
          ? {}
          : smokeFixture(fixture ?? `${operation}.json`);
      const isError = '__type' in body;
      response.writeHead(isError ? 400 : 200, {
        'content-type': JSON_1_1,
        'x-amzn-requestid': crypto.randomUUID(),
        ...(isError && { 'x-amzn-errortype': `${body.__type}:` }),
      });
      response.end(Object.keys(body).length === 0 ? '' : JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    endpoint: `http://127.0.0.1:${portOf(server)}`,
    calls,
    operations: () => calls.map((call) => call.operation),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

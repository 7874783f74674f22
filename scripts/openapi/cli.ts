/**
 * `npm run openapi`: writes the API's OpenAPI document, as the service makes it from its route schemas,
 * to docs/openapi.json. `npm run openapi -- --stack <stack> [--outputs-file <file>]` writes a copy for
 * that deployed stack instead (its URL as the server, its user pool in the security scheme), ready to
 * import into Postman or Insomnia: cdktf.out/openapi-<stack>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildApp } from '../../app/app';
import { cognitoDiscoveryUrl, describeRoutes, SECURITY_SCHEME } from '../../app/openapi-document';
import { OperatorError, parseArguments } from '../lib/operator-error';
import { readStackOutputs, requireOutputs } from '../lib/stack-outputs';

export const COMMITTED_DOCUMENT = 'docs/openapi.json';
const USAGE = 'usage: npm run openapi [-- --stack <name> [--outputs-file <terraform output -json file>]]';
const OPTIONS = { stack: { type: 'string' }, 'outputs-file': { type: 'string' } } as const;
const OUTPUTS = ['api_endpoint', 'user_pool_id', 'region'] as const;

/** The document the service serves; no request is made, so no DynamoDB is needed. */
export async function generateDocument(): Promise<Record<string, unknown>> {
  const app = buildApp({
    tableName: 'pets',
    idempotencyTableName: 'pets-idempotency',
    dynamodb: { region: 'us-east-1', credentials: { accessKeyId: 'none', secretAccessKey: 'none' } },
    logLevel: 'silent',
    describeRoutes,
  });
  await app.ready();
  const document = app.swagger() as Record<string, unknown>;
  await app.close();
  return document;
}

/** The file's text: what the staleness test compares. */
export const documentText = (document: object) => `${JSON.stringify(document, null, 2)}\n`;

/** Runs the command; returns the file written. `cdktfOut` is where `npm run synth` writes. */
export async function openApiCli(args: string[], cdktfOut = 'cdktf.out'): Promise<string> {
  const { stack, 'outputs-file': file } = parseArguments({ args, options: OPTIONS }, USAGE).values;
  if (stack === undefined && file !== undefined)
    throw new OperatorError(`--outputs-file needs --stack\n${USAGE}`);
  const document = await generateDocument();
  if (stack === undefined) return write(COMMITTED_DOCUMENT, document);

  const { stack: name, source, outputs } = readStackOutputs(stack, file, cdktfOut);
  const { api_endpoint, user_pool_id, region } = requireOutputs(outputs, OUTPUTS, source);
  // The stack's `$default` stage as the server, its pool's discovery URL in the security scheme.
  const { openapi, info, ...rest } = structuredClone(document);
  const { securitySchemes } = rest.components as { securitySchemes: Record<string, object> };
  const openIdConnectUrl = cognitoDiscoveryUrl(region, user_pool_id);
  securitySchemes[SECURITY_SCHEME] = { ...securitySchemes[SECURITY_SCHEME], openIdConnectUrl };
  const copy = { openapi, info, servers: [{ url: api_endpoint, description: name }], ...rest };
  return write(`${cdktfOut}/openapi-${name}.json`, copy);
}

function write(file: string, document: object): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, documentText(document));
  return file;
}

/**
 * `npm run openapi`: writes the API's OpenAPI document, as the service makes it from its route schemas,
 * to docs/openapi.json. `npm run openapi -- --stack <stack> [--outputs-file <file>]` writes a copy for
 * that deployed stack instead (its URL as the server, its user pool in the security scheme), ready to
 * import into Postman or Insomnia: cdktf.out/openapi-<stack>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../app/app';
import { cognitoDiscoveryUrl, describeRoutes, SECURITY_SCHEME } from '../../app/openapi-document';
import {
  findSynthesizedStack,
  OperatorError,
  parseTerraformOutputs,
  readTerraformOutputs,
  requireKnownStack,
  requireOutputs,
} from '../lib/stack-outputs';

export const COMMITTED_DOCUMENT = 'docs/openapi.json';
const USAGE = 'usage: npm run openapi [-- --stack <name> [--outputs-file <terraform output -json file>]]';

type Document = Record<string, unknown>;

/** The document the service serves; no request is made, so no DynamoDB is needed. */
export async function generateDocument(): Promise<Document> {
  const app = buildApp({
    tableName: 'pets',
    idempotencyTableName: 'pets-idempotency',
    dynamodb: { region: 'us-east-1', credentials: { accessKeyId: 'none', secretAccessKey: 'none' } },
    logLevel: 'silent',
    describeRoutes,
  });
  await app.ready();
  const document = app.swagger() as Document;
  await app.close();
  return document;
}

/** The file's text: what the staleness test compares. */
export function documentText(document: Document): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** A copy for a deployed stack: its `$default` stage as the server, its pool's discovery URL. */
export function forStack(
  document: Document,
  stack: string,
  outputs: { api_endpoint: string; user_pool_id: string; region: string },
): Document {
  const copy = structuredClone(document);
  const { securitySchemes } = copy.components as { securitySchemes: Record<string, object> };
  securitySchemes[SECURITY_SCHEME] = {
    ...securitySchemes[SECURITY_SCHEME],
    openIdConnectUrl: cognitoDiscoveryUrl(outputs.region, outputs.user_pool_id),
  };
  const { openapi, info, ...rest } = copy;
  return { openapi, info, servers: [{ url: outputs.api_endpoint, description: stack }], ...rest };
}

/** Runs the command; returns the file written. `cdktfOut` is where `npm run synth` writes. */
export async function openApiCli(args: string[], cdktfOut = 'cdktf.out'): Promise<string> {
  let values: { stack?: string; 'outputs-file'?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { stack: { type: 'string' }, 'outputs-file': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OperatorError(`${(error as Error).message}\n${USAGE}`);
  }
  const document = await generateDocument();
  if (values.stack === undefined) {
    if (values['outputs-file'] !== undefined)
      throw new OperatorError(`--outputs-file needs --stack\n${USAGE}`);
    return write(COMMITTED_DOCUMENT, document);
  }
  const stack = requireKnownStack(values.stack);
  const file = values['outputs-file'];
  const source = file ?? `the outputs of ${stack}`;
  const outputs = requireOutputs(
    parseTerraformOutputs(file === undefined ? deployedOutputs(cdktfOut, stack) : readText(file), source),
    ['api_endpoint', 'user_pool_id', 'region'],
    source,
  );
  return write(`${cdktfOut}/openapi-${stack}.json`, forStack(document, stack, outputs));
}

function write(file: string, document: Document): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, documentText(document));
  return file;
}

function deployedOutputs(cdktfOut: string, stack: string): string {
  const synthesized = findSynthesizedStack(cdktfOut, stack);
  if (synthesized === undefined) {
    throw new OperatorError(
      `${cdktfOut}/ has no synthesized ${stack}: deploy it from this checkout (npm run deploy -- ${stack}), or pass --outputs-file`,
    );
  }
  return readTerraformOutputs(synthesized.workingDirectory);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new OperatorError(`cannot read --outputs-file ${file}: ${(error as Error).message}`);
  }
}

// `npm run dev`: the real server (serve.ts, same configuration rules) against an in-memory
// DynamoDB-compatible server started here, with the tables created, and the API's page at /docs.
// No AWS account needed; the data lasts as long as the process.
import type { AddressInfo } from 'node:net';
import { createLocalDynamoDb } from './local-dynamodb';
import { createIdempotencyTable, createPetTable } from './pets/table';
import { createDynamoDbClient } from './plugins/dynamodb';

const localDynamoDb = createLocalDynamoDb();
await new Promise<void>((resolve) => localDynamoDb.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(localDynamoDb.address() as AddressInfo).port}`;

process.env.TABLE_NAME ??= 'pets';
process.env.IDEMPOTENCY_TABLE_NAME ??= `${process.env.TABLE_NAME}-idempotency`;
process.env.AWS_REGION ??= 'us-east-1';
process.env.DYNAMODB_ENDPOINT = endpoint;
// Nothing routes to a laptop through Cloud Map: stop at once.
process.env.PRE_STOP_DELAY_SECONDS ??= '0';

const client = createDynamoDbClient({
  region: process.env.AWS_REGION,
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
await createPetTable(client, process.env.TABLE_NAME);
await createIdempotencyTable(client, process.env.IDEMPOTENCY_TABLE_NAME);
client.destroy();
process.stderr.write(
  `dev: dynalite at ${endpoint} with tables '${process.env.TABLE_NAME}' and '${process.env.IDEMPOTENCY_TABLE_NAME}'\n`,
);

const [{ serve }, { describeRoutes }, { registerDocsPage, DOCS_PATH }] = await Promise.all([
  import('./serve'),
  import('./openapi-document'),
  import('./docs-page'),
]);
process.stderr.write(`dev: the API's page is at ${DOCS_PATH}\n`);
await serve({ describeRoutes }, registerDocsPage);

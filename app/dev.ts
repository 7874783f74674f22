// `npm run dev`: the real server (server.ts, same configuration rules) against an in-memory
// DynamoDB-compatible server started here, with the pets table created. No AWS account needed;
// the data lasts as long as the process.
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createPetTable } from './pets/table';
import { createDynamoDbClient } from './plugins/dynamodb';

const localDynamoDb = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => localDynamoDb.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(localDynamoDb.address() as AddressInfo).port}`;

process.env.TABLE_NAME ??= 'pets';
process.env.AWS_REGION ??= 'us-east-1';
process.env.DYNAMODB_ENDPOINT = endpoint;

const client = createDynamoDbClient({
  region: process.env.AWS_REGION,
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
await createPetTable(client, process.env.TABLE_NAME);
client.destroy();
process.stderr.write(`dev: dynalite at ${endpoint} with table '${process.env.TABLE_NAME}'\n`);

await import('./server');

// The benchmark's DynamoDB: dynalite in its own process, so its CPU is not counted against the
// server under test, with the tables created. Prints its endpoint when ready.
import type { AddressInfo } from 'node:net';
import { createLocalDynamoDb } from '../../app/local-dynamodb';
import { createIdempotencyTable, createPetTable } from '../../app/pets/table';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

const server = createLocalDynamoDb();
server.listen(0, '127.0.0.1', async () => {
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createDynamoDbClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = process.env.TABLE_NAME ?? 'pets';
  await createPetTable(client, tableName);
  await createIdempotencyTable(client, `${tableName}-idempotency`);
  client.destroy();
  process.stdout.write(`${endpoint}\n`);
});

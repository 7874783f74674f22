// The benchmark's DynamoDB: dynalite in its own process, so its CPU is not counted against the
// server under test, with the pets table created. Prints its endpoint when ready.
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createPetTable } from '../../app/pets/table';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

const server = dynalite({ createTableMs: 0 });
server.listen(0, '127.0.0.1', async () => {
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createDynamoDbClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createPetTable(client, process.env.TABLE_NAME ?? 'pets');
  client.destroy();
  process.stdout.write(`${endpoint}\n`);
});

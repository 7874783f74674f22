import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

// The tables as the infrastructure defines them (constructs/pet-table.ts), for the local DynamoDB of
// `npm run dev`, the tests and the benchmark; in AWS they exist.

/** The pets table: hash key `petId`, a string; on demand. */
export async function createPetTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(client, tableName, 'petId');
}

/** The Idempotency-Key table: hash key `idempotencyKey`, a string (TTL on `expiresAt` in AWS). */
export async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createTable(client, tableName, 'idempotencyKey');
}

async function createTable(client: DynamoDBClient, tableName: string, hashKey: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

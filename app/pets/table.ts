import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Creates the pets table as the infrastructure defines it (hash key `petId`, a string; on demand).
 * For the local DynamoDB of `npm run dev`, the tests and the benchmark; in AWS the table exists.
 */
export async function createPetTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'petId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'petId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

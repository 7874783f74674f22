// What users would otherwise write: Express 5 and the AWS SDK's document client with its default
// settings, for the same routes and the same DynamoDB calls (a consistent GetItem; a PutItem that
// refuses to overwrite).
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import express from 'express';

const tableName = process.env.TABLE_NAME ?? '';
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION,
    endpoint: process.env.DYNAMODB_ENDPOINT,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  // Optional fields the client did not send are undefined; the document client refuses those by default.
  { marshallOptions: { removeUndefinedValues: true } },
);
const PET_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const app = express();
app.use(express.json({ limit: '16kb' }));

app.get('/health', (_request, response) => {
  response.json({ status: 'ok' });
});

app.get('/petstore/pets/:petId', async (request, response) => {
  const petId = request.params.petId ?? '';
  if (!PET_ID.test(petId)) return response.status(400).json({ message: 'bad petId' });
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { petId }, ConsistentRead: true }),
  );
  return Item === undefined ? response.status(404).json({ message: 'not found' }) : response.json(Item);
});

app.post('/petstore/pets/:petId', async (request, response) => {
  const petId = request.params.petId ?? '';
  const { name, species, age, tag } = request.body ?? {};
  if (!PET_ID.test(petId) || typeof name !== 'string' || name.length < 1 || name.length > 100) {
    return response.status(400).json({ message: 'bad input' });
  }
  const now = new Date().toISOString();
  const pet = { petId, name, species, age, tag, createdAt: now, updatedAt: now };
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: pet,
        ConditionExpression: 'attribute_not_exists(petId)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      return response.status(409).json({ message: 'exists' });
    throw error;
  }
  return response.status(201).location(`/petstore/pets/${petId}`).json(pet);
});

const server = app.listen(port, host, () => {});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

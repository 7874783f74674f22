// The floor: a bare node:http server making the same DynamoDB calls as the service (its
// repository: the same commands with the same parameters), with no framework, validation or
// logging. Its client is the SDK's default, as a minimal server would have it; with
// FLOOR_CLIENT=service it uses the service's tuned client instead, which isolates what Fastify,
// validation and logging add.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../app/config';
import { createPetRepository } from '../../app/pets/repository';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';
import type { PetInput } from '../../app/schemas';

const config = loadConfig(process.env);
const clientOptions = {
  region: config.region,
  endpoint: config.dynamodbEndpoint,
  credentials: config.localCredentials,
};
const client =
  process.env.FLOOR_CLIENT === 'service'
    ? createDynamoDbClient(clientOptions)
    : new DynamoDBClient(clientOptions);
const pets = createPetRepository(client, config.tableName);
const PET_PATH = /^\/petstore\/pets\/([A-Za-z0-9_.-]{1,64})$/;

function send(response: ServerResponse, statusCode: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

async function readJson(request: IncomingMessage): Promise<PetInput> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.url === '/health') return send(response, 200, { status: 'ok' });
  const petId = PET_PATH.exec(request.url ?? '')?.[1];
  if (petId !== undefined && request.method === 'GET') {
    const pet = await pets.get(petId);
    return pet === undefined ? send(response, 404, { message: 'not found' }) : send(response, 200, pet);
  }
  if (petId !== undefined && request.method === 'POST') {
    const pet = await pets.create(petId, await readJson(request), randomUUID());
    return pet === undefined ? send(response, 409, { message: 'exists' }) : send(response, 201, pet);
  }
  send(response, 404, { message: 'no route' });
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => send(response, 500, { message: 'error' }));
}).listen(config.port, config.host);
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

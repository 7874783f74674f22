// The floor: a bare node:http server making the same DynamoDB calls as the service (its repository:
// the same commands with the same parameters, through the same tuned SDK client), with no framework,
// validation or logging. The service's figures over the floor's are what Fastify, validation, error
// handling and the log line cost per request.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { loadConfig } from '../../app/config';
import { createPetRepository } from '../../app/pets/repository';
import { createDynamoDbClient } from '../../app/plugins/dynamodb';

const config = loadConfig(process.env);
const client = createDynamoDbClient({
  region: config.region,
  endpoint: config.dynamodbEndpoint,
  credentials: config.localCredentials,
});
const pets = createPetRepository(client, config.tableName);
const PET_PATH = /^\/petstore\/pets\/([A-Za-z0-9_.-]{1,64})$/;

function send(response: ServerResponse, statusCode: number, body: unknown): void {
  response.statusCode = statusCode;
  response.setHeader('content-type', 'application/json').end(JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.url === '/health') return send(response, 200, { status: 'ok' });
  const petId = PET_PATH.exec(request.url ?? '')?.[1];
  if (petId !== undefined && request.method === 'GET') {
    const pet = await pets.get(petId);
    return pet === undefined ? send(response, 404, { message: 'not found' }) : send(response, 200, pet);
  }
  if (petId !== undefined && request.method === 'POST') {
    const pet = await pets.create(petId, JSON.parse(await text(request)), randomUUID());
    return pet === undefined ? send(response, 409, { message: 'exists' }) : send(response, 201, pet);
  }
  send(response, 404, { message: 'no route' });
}

// No SIGTERM handler: Node's default, exiting at once, is all the benchmark needs.
createServer((request, response) => {
  handle(request, response).catch(() => send(response, 500, { message: 'error' }));
}).listen(config.port, config.host);

import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ClientError, errorBody, handleError, JSON_BODY_REQUIRED } from '../errors';
import { createIdempotencyStore, idempotencyHooks } from '../idempotency';
import {
  createPetSchema,
  DEFAULT_PAGE_SIZE,
  deletePetSchema,
  getPetSchema,
  headPetsSchema,
  type ListPetsQuery,
  listPetsSchema,
  type PetInput,
  type PetPage,
  type PetParams,
  replacePetSchema,
} from '../schemas';
import { decodeCursor, encodeCursor } from './cursor';
import { createPetRepository } from './repository';

export interface PetRoutesOptions {
  readonly tableName: string;
  readonly idempotencyTableName: string;
}

type WriteRequest = FastifyRequest<{ Params: PetParams; Body: PetInput }>;

/** The pet API, as the gateway exposes it. Needs `app.dynamodb` (plugins/dynamodb). */
export async function petRoutes(app: FastifyInstance, options: PetRoutesOptions): Promise<void> {
  const pets = createPetRepository(app.dynamodb, options.tableName);
  const idempotency = idempotencyHooks(createIdempotencyStore(app.dynamodb, options.idempotencyTableName));
  app.decorateRequest('writeToken', '');
  app.decorateRequest('idempotencyClaim', null);

  app.get<{ Params: PetParams }>(
    '/petstore/pets/:petId',
    { schema: getPetSchema },
    async (request, reply) => {
      const pet = await pets.get(request.params.petId);
      return pet ?? reply.code(404).send(petNotFound(request.params.petId));
    },
  );

  app.post<{ Params: PetParams; Body: PetInput }>(
    '/petstore/pets/:petId',
    {
      schema: createPetSchema,
      preValidation: requireJsonBody,
      preHandler: [requireMatchingPetId, idempotency.claimKey],
      onSend: idempotency.storeAnswer,
    },
    async (request, reply) => {
      const { petId } = request.params;
      const pet = await pets.create(petId, request.body, request.writeToken);
      if (pet === undefined) {
        return reply.code(409).send(errorBody(409, `Pet '${petId}' already exists; use PUT to replace it`));
      }
      return reply.code(201).header('location', `/petstore/pets/${petId}`).send(pet);
    },
  );

  app.put<{ Params: PetParams; Body: PetInput }>(
    '/petstore/pets/:petId',
    {
      schema: replacePetSchema,
      preValidation: requireJsonBody,
      preHandler: [requireMatchingPetId, idempotency.claimKey],
      onSend: idempotency.storeAnswer,
    },
    async (request, reply) => {
      const { petId } = request.params;
      const { pet, created } = await pets.replace(petId, request.body, request.writeToken);
      if (created) reply.code(201).header('location', `/petstore/pets/${petId}`);
      return pet;
    },
  );

  app.delete<{ Params: PetParams }>(
    '/petstore/pets/:petId',
    { schema: deletePetSchema, preHandler: idempotency.claimKey, onSend: idempotency.storeAnswer },
    async (request, reply) => {
      const { petId } = request.params;
      const outcome = await pets.delete(petId, request.writeToken);
      if (outcome === 'deleted') return reply.code(204).send();
      if (outcome === 'not-found') return reply.code(404).send(petNotFound(petId));
      throw new ClientError(409, `Pet '${petId}' is being deleted by another request`, {
        'retry-after': '1',
      });
    },
  );

  app.get<{ Querystring: ListPetsQuery }>(
    '/petstore/pets',
    // HEAD is its own route below.
    { schema: listPetsSchema, preHandler: requireValidCursor, exposeHeadRoute: false },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await pets.list(
        limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit),
        cursor === undefined ? undefined : (decodeCursor(cursor) ?? undefined),
      );
      const body: PetPage = {
        items: page.pets,
        nextCursor: page.lastPetId === undefined ? null : encodeCursor(page.lastPetId),
      };
      return body;
    },
  );

  // Declared, so that Fastify does not answer HEAD by running the GET (a Scan) and dropping its body.
  app.head<{ Querystring: ListPetsQuery }>(
    '/petstore/pets',
    { schema: headPetsSchema, preHandler: requireValidCursor },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(),
  );
}

function petNotFound(petId: string) {
  return errorBody(404, `Pet '${petId}' not found`);
}

function requireValidCursor(
  request: FastifyRequest<{ Querystring: ListPetsQuery }>,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const { cursor } = request.query;
  if (cursor !== undefined && decodeCursor(cursor) === null) {
    handleError(
      new ClientError(400, 'querystring/cursor must be the nextCursor of a previous page'),
      request,
      reply,
    );
    return;
  }
  done();
}

// Without this, a write with no Content-Type and no body would reach validation and get a 400;
// the API promises 415 for any write that is not JSON. (Bodies of other types get Fastify's own 415.)
// Hooks take `done` rather than being async: replying early is then just not calling it, and no
// promise is made per request.
function requireJsonBody(request: WriteRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (request.headers['content-type'] === undefined) {
    reply.code(415).send(errorBody(415, JSON_BODY_REQUIRED));
    return;
  }
  done();
}

function requireMatchingPetId(
  request: WriteRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const { petId } = request.body;
  if (petId !== undefined && petId !== request.params.petId) {
    reply
      .code(400)
      .send(
        errorBody(
          400,
          `body/petId ('${petId}') must equal the petId in the path ('${request.params.petId}')`,
        ),
      );
    return;
  }
  done();
}

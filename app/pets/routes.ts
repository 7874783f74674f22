import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { errorBody, JSON_BODY_REQUIRED } from '../errors';
import {
  createPetSchema,
  DEFAULT_PAGE_SIZE,
  deletePetSchema,
  getPetSchema,
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
}

type WriteRequest = FastifyRequest<{ Params: PetParams; Body: PetInput }>;

/** The pet API, as the gateway exposes it. Needs `app.dynamodb` (plugins/dynamodb). */
export async function petRoutes(app: FastifyInstance, options: PetRoutesOptions): Promise<void> {
  const pets = createPetRepository(app.dynamodb, options.tableName);

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
    { schema: createPetSchema, preValidation: requireJsonBody, preHandler: requireMatchingPetId },
    async (request, reply) => {
      const { petId } = request.params;
      const pet = await pets.create(petId, request.body);
      if (pet === undefined) {
        return reply.code(409).send(errorBody(409, `Pet '${petId}' already exists; use PUT to replace it`));
      }
      return reply.code(201).header('location', `/petstore/pets/${petId}`).send(pet);
    },
  );

  app.put<{ Params: PetParams; Body: PetInput }>(
    '/petstore/pets/:petId',
    { schema: replacePetSchema, preValidation: requireJsonBody, preHandler: requireMatchingPetId },
    async (request, reply) => {
      const { petId } = request.params;
      const { pet, created } = await pets.replace(petId, request.body);
      if (created) reply.code(201).header('location', `/petstore/pets/${petId}`);
      return pet;
    },
  );

  app.delete<{ Params: PetParams }>(
    '/petstore/pets/:petId',
    { schema: deletePetSchema },
    async (request, reply) => {
      const deleted = await pets.delete(request.params.petId);
      return deleted ? reply.code(204).send() : reply.code(404).send(petNotFound(request.params.petId));
    },
  );

  app.get<{ Querystring: ListPetsQuery }>(
    '/petstore/pets',
    { schema: listPetsSchema },
    async (request, reply) => {
      const { limit, cursor } = request.query;
      const afterPetId = cursor === undefined ? undefined : decodeCursor(cursor);
      if (afterPetId === null) {
        return reply
          .code(400)
          .send(errorBody(400, 'querystring/cursor must be the nextCursor of a previous page'));
      }
      const page = await pets.list(limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit), afterPetId);
      const body: PetPage = {
        items: page.pets,
        nextCursor: page.lastPetId === undefined ? null : encodeCursor(page.lastPetId),
      };
      return body;
    },
  );
}

function petNotFound(petId: string) {
  return errorBody(404, `Pet '${petId}' not found`);
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

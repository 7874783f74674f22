import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { fastifyPath, PET_ROUTES, type PetRoute } from '../contract';
import { ClientError, errorBody, handleError, JSON_BODY_REQUIRED } from '../errors';
import { idempotencyHooks } from '../idempotency';
import { createIdempotencyStore } from '../idempotency-store';
import {
  createPetSchema,
  DEFAULT_PAGE_SIZE,
  deletePetSchema,
  getPetSchema,
  headPetsSchema,
  type ListPetsQuery,
  listPetsSchema,
  type PetInput,
  type PetParams,
  replacePetSchema,
  type SchemaTypes,
} from '../schemas';
import { decodeCursor, encodeCursor } from './cursor';
import { createPetRepository } from './repository';

export interface PetRoutesOptions {
  readonly tableName: string;
  readonly idempotencyTableName: string;
}

type WriteRequest = FastifyRequest<{ Params: PetParams; Body: PetInput }>;

/** The pet API, as the gateway exposes it. Needs `app.dynamodb` (plugins/dynamodb). */
export async function petRoutes(instance: FastifyInstance, options: PetRoutesOptions): Promise<void> {
  // Each route's request and reply are typed from the schemas it declares.
  const app = instance.withTypeProvider<SchemaTypes>();
  const pets = createPetRepository(app.dynamodb, options.tableName);
  const idempotency = idempotencyHooks(createIdempotencyStore(app.dynamodb, options.idempotencyTableName));
  app.decorateRequest('writeToken', '');
  app.decorateRequest('idempotencyClaim', null);

  app.route({
    ...declared(PET_ROUTES.getPet),
    schema: getPetSchema,
    handler: async (request, reply) => {
      const pet = await pets.get(request.params.petId);
      return pet ?? reply.code(404).send(petNotFound(request.params.petId));
    },
  });

  app.route({
    ...declared(PET_ROUTES.createPet),
    schema: createPetSchema,
    preValidation: requireJsonBody,
    preHandler: [requireMatchingPetId, idempotency.claimKey],
    onSend: idempotency.storeAnswer,
    handler: async (request, reply) => {
      const { petId } = request.params;
      const pet = await pets.create(petId, request.body, request.writeToken);
      if (pet === undefined) {
        return reply.code(409).send(errorBody(409, `Pet '${petId}' already exists; use PUT to replace it`));
      }
      return reply.code(201).header('location', `/petstore/pets/${petId}`).send(pet);
    },
  });

  app.route({
    ...declared(PET_ROUTES.replacePet),
    schema: replacePetSchema,
    preValidation: requireJsonBody,
    preHandler: [requireMatchingPetId, idempotency.claimKey],
    onSend: idempotency.storeAnswer,
    handler: async (request, reply) => {
      const { petId } = request.params;
      const { pet, created } = await pets.replace(petId, request.body, request.writeToken);
      if (created) reply.code(201).header('location', `/petstore/pets/${petId}`);
      return pet;
    },
  });

  app.route({
    ...declared(PET_ROUTES.deletePet),
    schema: deletePetSchema,
    preHandler: idempotency.claimKey,
    onSend: idempotency.storeAnswer,
    handler: async (request, reply) => {
      const { petId } = request.params;
      // A keyed DELETE writes its 204 ahead: if its answer is then lost (the key's record cannot be
      // completed), a retry after the lease finds the pet gone and still answers 204, not 404.
      const outcome = await pets.delete(petId, request.writeToken, () => idempotency.intend(request, 204));
      if (outcome === 'deleted' || (outcome === 'not-found' && request.idempotencyClaim?.intended === 204)) {
        // Returning nothing sends no body: reply.send() without a payload, which the 204's
        // `type: 'null'` schema would not type.
        reply.code(204);
        return;
      }
      if (outcome === 'not-found') return reply.code(404).send(petNotFound(petId));
      throw new ClientError(409, `Pet '${petId}' is being deleted by another request`, {
        'retry-after': '1',
      });
    },
  });

  app.route({
    ...declared(PET_ROUTES.listPets),
    // HEAD is its own route below.
    schema: listPetsSchema,
    preHandler: requireValidCursor,
    exposeHeadRoute: false,
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const page = await pets.list(
        limit === undefined ? DEFAULT_PAGE_SIZE : Number(limit),
        cursor === undefined ? undefined : (decodeCursor(cursor) ?? undefined),
      );
      return {
        items: page.pets,
        nextCursor: page.lastPetId === undefined ? null : encodeCursor(page.lastPetId),
      };
    },
  });

  // Declared, so that Fastify does not answer HEAD by running the GET (a Scan) and dropping its body.
  app.route({
    ...declared(PET_ROUTES.headPets),
    schema: headPetsSchema,
    preHandler: requireValidCursor,
    // Returning nothing sends no body, as for DELETE's 204.
    handler: async (_request, reply) => {
      reply.type('application/json; charset=utf-8');
    },
  });
}

/** A route of the contract, as Fastify declares it. */
function declared<const Route extends PetRoute>(route: Route): { method: Route['method']; url: string } {
  return { method: route.method, url: fastifyPath(route) };
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

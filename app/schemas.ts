// Every schema of the service, in one place. Validation runs without type coercion and without
// removing unknown properties (see app.ts), so a body is accepted exactly as these say or refused.
// A `description` on a `pattern` is what the 400 message shows instead of the regular expression.
// An `$id` on a request schema makes Fastify compile it once for all the routes that use it
// (compiling validators was the largest part of the cold start after parsing the bundle).

/** A pet as the API returns it. */
export interface Pet {
  petId: string;
  name: string;
  species?: string;
  age?: number;
  tag?: string;
  createdAt: string;
  updatedAt: string;
}

/** What a client may send to create or replace a pet. */
export interface PetInput {
  name: string;
  species?: string;
  age?: number;
  tag?: string;
  /** Allowed for clients that echo a pet back, but only if it equals the path's. */
  petId?: string;
}

export interface PetParams {
  petId: string;
}

export interface ListPetsQuery {
  limit?: string;
  cursor?: string;
}

export interface PetPage {
  items: Pet[];
  nextCursor: string | null;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export const DEFAULT_PAGE_SIZE = 20;

/**
 * What a petId may be: in the path, in a body and inside a page cursor. Not `.` or `..`: clients
 * normalise those path segments away, so such a pet could be neither read nor deleted.
 */
export const PET_ID_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9_.-]{1,64}$';
export const PET_ID_DESCRIPTION = '1-64 characters of A-Z a-z 0-9 _ . -, other than . and ..';

const petIdSchema = { type: 'string', pattern: PET_ID_PATTERN, description: PET_ID_DESCRIPTION } as const;

// Text a client sends is shown to other clients: no control characters (\p{Cc}), no format or
// bidi characters (\p{Cf}: invisible, or reorder what is displayed around them) and no unpaired
// surrogates (\p{Cs} matches only those under Ajv's unicode regular expressions; a valid pair is
// one astral code point).
const TEXT = '[^\\p{Cc}\\p{Cf}\\p{Cs}]';
const TEXT_DESCRIPTION = 'text without control, format or bidi characters';
const textSchema = (maxLength: number) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength,
    pattern: `^${TEXT}+$`,
    description: TEXT_DESCRIPTION,
  }) as const;

/** Accepts nothing: every route refuses query parameters it does not define, alike. */
const noQuerySchema = {
  $id: 'NoQuery',
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const;

const petParamsSchema = {
  $id: 'PetParams',
  type: 'object',
  required: ['petId'],
  additionalProperties: false,
  properties: { petId: petIdSchema },
} as const;

const petInputSchema = {
  $id: 'PetInput',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: {
      ...textSchema(100),
      // A name of only whitespace shows as nothing.
      pattern: `^(?!\\s+$)${TEXT}+$`,
      description: `${TEXT_DESCRIPTION}, not only whitespace`,
    },
    species: textSchema(50),
    age: { type: 'integer', minimum: 0, maximum: 200 },
    tag: textSchema(50),
    petId: petIdSchema,
  },
} as const;

const petSchema = {
  type: 'object',
  required: ['petId', 'name', 'createdAt', 'updatedAt'],
  properties: {
    petId: { type: 'string' },
    name: { type: 'string' },
    species: { type: 'string' },
    age: { type: 'integer' },
    tag: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const errorSchema = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

const errorResponses = { '4xx': errorSchema, '5xx': errorSchema } as const;

export const getPetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  response: { 200: petSchema, ...errorResponses },
} as const;

export const createPetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  body: petInputSchema,
  response: { 201: petSchema, ...errorResponses },
} as const;

export const replacePetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  body: petInputSchema,
  response: { 200: petSchema, 201: petSchema, ...errorResponses },
} as const;

export const deletePetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  response: { 204: { type: 'null' }, ...errorResponses },
} as const;

export const listPetsSchema = {
  querystring: {
    $id: 'ListPetsQuery',
    type: 'object',
    additionalProperties: false,
    properties: {
      // A string because validation does not coerce; the pattern is the range 1-100.
      limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: 'an integer from 1 to 100' },
      cursor: {
        type: 'string',
        pattern: '^[A-Za-z0-9_-]{1,128}$',
        description: 'the nextCursor of a previous page',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', items: petSchema },
        nextCursor: { type: ['string', 'null'] },
      },
    },
    ...errorResponses,
  },
} as const;

export const headPetsSchema = {
  querystring: listPetsSchema.querystring,
  response: errorResponses,
} as const;

export const healthSchema = {
  querystring: noQuerySchema,
  response: {
    200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
  },
} as const;

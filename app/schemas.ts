// Every schema of the service, in one place. Validation runs without type coercion and without
// removing unknown properties (see app.ts), so a body is accepted exactly as these say or refused.
// A `description` on a `pattern` is what the 400 message shows instead of the regular expression.
// An `$id` on a request schema makes Fastify compile it once for all the routes that use it
// (compiling validators was the largest part of the cold start after parsing the bundle).
// The service's types are derived from these schemas (bottom of this file), never written twice.
// So is the OpenAPI document (openapi.ts): a `title` names a schema there, under components.

import type { FastifyTypeProvider } from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

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
  title: 'PetInput',
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

// `additionalProperties: false` on a response schema changes nothing at run time (the serializer
// writes only the declared properties either way); it makes the derived type exact, with no index
// signature.
const petSchema = {
  title: 'Pet',
  type: 'object',
  required: ['petId', 'name', 'createdAt', 'updatedAt'],
  additionalProperties: false,
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
  title: 'Error',
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

// Each answer's `description` and `headers` are for the OpenAPI document (app/openapi.ts); validation
// and serialization ignore both. Every error status a route can answer is listed, so the document
// lists them too (docs/api.md has the table).
const errorAnswer = <const Description extends string>(description: Description) =>
  ({ ...errorSchema, description }) as const;

const retryAfter = {
  'retry-after': { type: 'string', description: 'Seconds to wait before retrying' },
} as const;

/** What any route can answer before its own checks: Node's parser, the router, the request timeout, DynamoDB. */
const commonErrors = {
  408: errorAnswer('The request (headers and body) was not received within the request timeout (10 s)'),
  431: errorAnswer('Request headers are too large'),
  500: errorAnswer('A bug: a generic message that names the request id'),
  503: {
    ...errorAnswer(
      'DynamoDB is unreachable, throttling or answering something that is not its JSON, or the service is stopping',
    ),
    headers: retryAfter,
  },
} as const;

const BAD_HTTP = 'HTTP the service cannot parse, bad percent-encoding or an unknown query parameter';

/** The answers of a write that the Idempotency-Key header adds. */
const idempotencyErrors = {
  422: errorAnswer('The Idempotency-Key was used for a different request'),
} as const;

const writeBodyErrors = {
  413: errorAnswer('The body is over 16 KiB'),
  415: errorAnswer(
    'The body is not application/json, has a charset other than UTF-8 or a Content-Encoding other than identity',
  ),
} as const;

const petAnswer = <const Description extends string>(description: Description) =>
  ({ ...petSchema, description }) as const;

const createdPet = {
  ...petAnswer('Created'),
  headers: { location: { type: 'string', description: "The new pet's path: /petstore/pets/{petId}" } },
} as const;

/**
 * The Idempotency-Key request header of every write (app/idempotency.ts checks it: a Structured
 * Field String `"…"` or a bare token, 1-255 printable ASCII, per user); nothing here constrains it.
 */
const idempotencyHeadersSchema = {
  $id: 'IdempotencyHeaders',
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description:
        'Makes a retried write safe: a repeat with the same key and request gets the first answer again (with Idempotent-Replayed: true) for 24 h. 1-255 printable ASCII characters, bare or as "…"; kept per user',
    },
  },
} as const;

export const getPetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  response: {
    200: petAnswer('The pet'),
    400: errorAnswer(`A bad petId; ${BAD_HTTP}`),
    404: errorAnswer('No such pet'),
    ...commonErrors,
  },
} as const;

export const createPetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  headers: idempotencyHeadersSchema,
  body: petInputSchema,
  response: {
    201: createdPet,
    400: errorAnswer(
      `A bad petId or body, body.petId other than the path's, a malformed Idempotency-Key; ${BAD_HTTP}`,
    ),
    409: {
      ...errorAnswer(
        'The pet exists (use PUT to replace it); or a request with this Idempotency-Key is still in progress (with Retry-After)',
      ),
      headers: retryAfter,
    },
    ...writeBodyErrors,
    ...idempotencyErrors,
    ...commonErrors,
  },
} as const;

export const replacePetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  headers: idempotencyHeadersSchema,
  body: petInputSchema,
  response: {
    200: petAnswer('Replaced; createdAt is kept'),
    201: createdPet,
    400: errorAnswer(
      `A bad petId or body, body.petId other than the path's, a malformed Idempotency-Key; ${BAD_HTTP}`,
    ),
    409: {
      ...errorAnswer('A request with this Idempotency-Key is still in progress'),
      headers: retryAfter,
    },
    ...writeBodyErrors,
    ...idempotencyErrors,
    ...commonErrors,
  },
} as const;

export const deletePetSchema = {
  params: petParamsSchema,
  querystring: noQuerySchema,
  headers: idempotencyHeadersSchema,
  response: {
    204: { type: 'null', description: 'Deleted' },
    400: errorAnswer(`A bad petId, a malformed Idempotency-Key; ${BAD_HTTP}`),
    404: errorAnswer('No such pet'),
    409: {
      ...errorAnswer(
        'Another request is deleting the pet, or a request with this Idempotency-Key is still in progress',
      ),
      headers: retryAfter,
    },
    // A DELETE takes no body, but one sent is still parsed as any other.
    ...writeBodyErrors,
    ...idempotencyErrors,
    ...commonErrors,
  },
} as const;

const listPetsQuerySchema = {
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
} as const;

const petPageSchema = {
  title: 'PetPage',
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: petSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

const BAD_PAGE = `A bad limit or cursor; ${BAD_HTTP}`;

export const listPetsSchema = {
  querystring: listPetsQuerySchema,
  response: {
    200: { ...petPageSchema, description: 'A page of pets; nextCursor is null on the last page' },
    400: errorAnswer(BAD_PAGE),
    ...commonErrors,
  },
} as const;

// HEAD answers carry no body: the document shows these answers without one (app/openapi.ts).
export const headPetsSchema = {
  querystring: listPetsQuerySchema,
  response: {
    200: { type: 'null', description: 'What a GET would answer, without its body and without the Scan' },
    400: errorAnswer(BAD_PAGE),
    ...commonErrors,
  },
} as const;

export const openApiDocumentSchema = {
  querystring: noQuerySchema,
  response: {
    // Sent as text: the serializer would otherwise write only the properties named here.
    200: { type: 'object', description: 'This document: OpenAPI 3.1' },
    400: errorAnswer(BAD_HTTP),
    ...commonErrors,
  },
} as const;

export const healthSchema = {
  querystring: noQuerySchema,
  response: {
    200: {
      type: 'object',
      required: ['status'],
      additionalProperties: false,
      properties: { status: { type: 'string' } },
    },
  },
} as const;

// The types. `$ref` to a shared schema (by its `$id`, as Ajv resolves it: they are compiled once
// and kept under it, app.ts) resolves in the types too, so a type stays exact when a schema
// refers to another instead of repeating it.
type SharedSchemas = [
  typeof noQuerySchema,
  typeof idempotencyHeadersSchema,
  typeof petParamsSchema,
  typeof petInputSchema,
  typeof listPetsQuerySchema,
];

/** The type of the data a schema of this service accepts or describes. */
export type FromServiceSchema<S extends JSONSchema> = FromSchema<S, { references: SharedSchemas }>;

/** A pet as the API returns it. */
export type Pet = FromServiceSchema<typeof petSchema>;
/** What a client may send to create or replace a pet (`petId` only if it equals the path's). */
export type PetInput = FromServiceSchema<typeof petInputSchema>;
export type PetParams = FromServiceSchema<typeof petParamsSchema>;
export type ListPetsQuery = FromServiceSchema<typeof listPetsQuerySchema>;
export type PetPage = FromServiceSchema<typeof petPageSchema>;
export type ErrorBody = FromServiceSchema<typeof errorSchema>;

/**
 * Types a route's request (params, querystring, body) and reply from the schemas it declares:
 * `app.withTypeProvider<SchemaTypes>()` (the pattern of @fastify/type-provider-json-schema-to-ts).
 */
export interface SchemaTypes extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? FromServiceSchema<this['schema']> : unknown;
  serializer: this['schema'] extends JSONSchema ? FromServiceSchema<this['schema']> : unknown;
}

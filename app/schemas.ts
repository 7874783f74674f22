// Every schema of the service, in one place. Validation runs without type coercion and without
// removing unknown properties (see app.ts), so a body is accepted exactly as these say or refused.
// A `description` on a `pattern` is what the 400 message shows instead of the regular expression.
// An `$id` on a request schema makes Fastify compile it once for all the routes that use it
// (compiling validators was the largest part of the cold start after parsing the bundle).
// The service's types are derived from these schemas (bottom of this file), never written twice.

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
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  additionalProperties: false,
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
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: petSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const listPetsSchema = {
  querystring: listPetsQuerySchema,
  response: { 200: petPageSchema, ...errorResponses },
} as const;

export const headPetsSchema = {
  querystring: listPetsQuerySchema,
  response: errorResponses,
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

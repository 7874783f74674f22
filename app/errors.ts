import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { ErrorBody } from './schemas';

/** Seconds a client should wait before retrying when DynamoDB is unavailable. */
export const RETRY_AFTER_SECONDS = 1;

/** The 415 message, for every way a write can fail to be JSON. */
export const JSON_BODY_REQUIRED = 'Send the pet as JSON, with Content-Type: application/json';

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * Turns anything thrown while handling a request into the API's JSON error. Client errors keep
 * their message; server errors are logged whole and answered with a generic one, so no internal
 * detail (table names, SDK messages, stack traces) reaches the client.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const fastifyError = error as { code?: unknown; statusCode?: unknown; message: string };
  // Fastify's own errors (validation, body too large, unsupported media type, bad JSON) are the
  // only ones whose status and message are meant for the client.
  if (
    typeof fastifyError.code === 'string' &&
    fastifyError.code.startsWith('FST_') &&
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    // Fastify's 415 message is only "Unsupported Media Type"; say what is supported.
    const message = fastifyError.statusCode === 415 ? JSON_BODY_REQUIRED : fastifyError.message;
    return reply.code(fastifyError.statusCode).send(errorBody(fastifyError.statusCode, message));
  }
  if (isDynamoDbUnavailable(error)) {
    request.log.warn({ err: error }, 'DynamoDB unavailable');
    return reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .send(errorBody(503, 'The pet store is temporarily unavailable; retry shortly'));
  }
  request.log.error({ err: error }, 'request failed');
  return reply
    .code(500)
    .send(errorBody(500, `Internal error; quote request id ${request.id} when reporting it`));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody(404, `Route ${request.method} ${request.url} not found`));
}

// Errors that mean "DynamoDB cannot serve us right now", as opposed to a bug or a misconfiguration.
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
]);
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** True when the SDK gave up on DynamoDB after its bounded retries: network failure, timeout, 5xx or throttling. */
export function isDynamoDbUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $metadata } = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    (name !== undefined && (THROTTLING_ERRORS.has(name) || name === 'TimeoutError')) ||
    (code !== undefined && NETWORK_ERROR_CODES.has(code))
  );
}

/**
 * Builds the 400 message for a schema violation. Ajv's default says "must NOT have additional
 * properties" without naming the property, and quotes raw regular expressions; name the property
 * and use the schema's `description` of a pattern instead.
 */
export function formatSchemaError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const [first] = errors;
  if (first === undefined) return new Error(`${dataVar} is invalid`);
  const where = `${dataVar}${first.instancePath}`;
  if (first.keyword === 'additionalProperties') {
    return new Error(`${where} must not have property '${String(first.params.additionalProperty)}'`);
  }
  // `parentSchema` is present because validation runs with Ajv's `verbose` option.
  const description = (first as { parentSchema?: { description?: unknown } }).parentSchema?.description;
  if (first.keyword === 'pattern' && typeof description === 'string') {
    return new Error(`${where} must be ${description}`);
  }
  return new Error(`${where} ${first.message ?? 'is invalid'}`);
}

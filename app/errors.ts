import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { ErrorBody } from './schemas';
import { PET_ID_DESCRIPTION } from './schemas';

/** Seconds a client should wait before retrying when DynamoDB is unavailable. */
export const RETRY_AFTER_SECONDS = 1;

/** The 415 message, for every way a write can fail to be JSON. */
export const JSON_BODY_REQUIRED = 'Send the pet as JSON, with Content-Type: application/json';

export const UNAVAILABLE_MESSAGE = 'The pet store is temporarily unavailable; retry shortly';

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** An error whose status and message are meant for the client, thrown by the service's own checks. */
export class ClientError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

// Fastify's client errors, in the API's words. Its own messages for the first two quote the whole
// path back; the rest are replaced so that no message depends on Fastify's wording.
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'The URL is not validly percent-encoded',
  FST_ERR_MAX_PARAM_LENGTH: `params/petId must be ${PET_ID_DESCRIPTION}`,
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large (the limit is 16 KiB)',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: JSON_BODY_REQUIRED,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size did not match Content-Length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Body cannot be empty when Content-Type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Body is not valid JSON',
};

/** The status and message a client gets for an error, or `undefined` when it is not the client's. */
function clientErrorOf(
  error: unknown,
): { statusCode: number; message: string; headers?: Record<string, string> } | undefined {
  if (error instanceof ClientError) return error;
  const { code, statusCode, message } = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_') || typeof statusCode !== 'number')
    return undefined;
  if (statusCode < 400 || statusCode >= 500) return undefined;
  // The router's "URI too long" is a petId over the length any route accepts: the same 400 as a
  // petId of 65 characters.
  const status = code === 'FST_ERR_MAX_PARAM_LENGTH' ? 400 : statusCode;
  // Validation messages come from formatSchemaError, which bounds what they quote.
  if (code === 'FST_ERR_VALIDATION' && typeof message === 'string') return { statusCode: status, message };
  return {
    statusCode: status,
    message: FASTIFY_CLIENT_ERRORS[code] ?? STATUS_CODES[status] ?? 'Bad request',
  };
}

/**
 * Turns anything thrown while handling a request into the API's JSON error. Client errors keep
 * their message; server errors are logged whole and answered with a generic one, so no internal
 * detail (table names, SDK messages, stack traces) reaches the client. Also Fastify's
 * `frameworkErrors` (bad percent-encoding, over-long path parameters), whose request skipped the
 * onRequest hook.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  setApiHeaders(request, reply);
  const clientError = clientErrorOf(error);
  if (clientError !== undefined) {
    if (clientError.headers !== undefined) reply.headers(clientError.headers);
    return reply.code(clientError.statusCode).send(errorBody(clientError.statusCode, clientError.message));
  }
  if (isDynamoDbUnavailable(error)) {
    request.log.warn({ err: error }, 'DynamoDB unavailable');
    return unavailable(reply);
  }
  request.log.error({ err: error }, 'request failed');
  return reply
    .code(500)
    .send(errorBody(500, `Internal error; quote request id ${request.id} when reporting it`));
}

export function unavailable(reply: FastifyReply, message = UNAVAILABLE_MESSAGE): FastifyReply {
  return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(errorBody(503, message));
}

/**
 * What every answer of the API carries: its request id (also in the log line), and, as a JSON API
 * behind a gateway, no MIME sniffing and no caching of answers that change with every write.
 */
export const API_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

export function setApiHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  reply.headers(API_HEADERS);
}

/** The routes' paths and the methods each takes, for 405 and `Allow`. */
const KNOWN_PATHS: readonly { pattern: RegExp; allow: string }[] = [
  { pattern: /^\/petstore\/pets\/[^/]*$/, allow: 'GET, HEAD, POST, PUT, DELETE' },
  { pattern: /^\/petstore\/pets$/, allow: 'GET, HEAD' },
  { pattern: /^\/petstore\/openapi\.json$/, allow: 'GET, HEAD' },
  { pattern: /^\/health$/, allow: 'GET, HEAD' },
];

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const known = KNOWN_PATHS.find(({ pattern }) => pattern.test(path));
  if (known !== undefined) {
    return reply
      .code(405)
      .header('allow', known.allow)
      .send(errorBody(405, `${request.method} is not allowed here; use ${known.allow}`));
  }
  // The path is not quoted back: it is the client's, of any length.
  return reply.code(404).send(errorBody(404, `No route for ${request.method} at this path`));
}

// Errors that mean "DynamoDB cannot serve us right now", as opposed to a bug or a misconfiguration.
const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // The task role's credentials expired, or could not be fetched, while the SDK refreshes them.
  'ExpiredTokenException',
  'ExpiredToken',
  'CredentialsProviderError',
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

/**
 * True when the SDK gave up on DynamoDB after its bounded retries: network failure, timeout, 5xx,
 * throttling, credentials being refreshed, or a reply that is not DynamoDB's JSON (something in
 * between answered: the SDK's deserializer throws a SyntaxError that carries the reply's metadata).
 */
export function isDynamoDbUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $metadata } = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    (name !== undefined && TRANSIENT_ERRORS.has(name)) ||
    (name === 'SyntaxError' && $metadata !== undefined) ||
    (code !== undefined && NETWORK_ERROR_CODES.has(code))
  );
}

/** Longest part of a client's input (a property's name) that an error message quotes. */
const QUOTED_MAX = 40;

function quoted(text: string): string {
  return `'${text.length > QUOTED_MAX ? `${text.slice(0, QUOTED_MAX)}…` : text}'`;
}

/**
 * Builds the 400 message for a schema violation. Ajv's default says "must NOT have additional
 * properties" without naming the property, and quotes raw regular expressions; name the property
 * (cut short: it is the client's, of any length) and use the schema's `description` of a pattern.
 */
export function formatSchemaError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const [first] = errors;
  if (first === undefined) return new Error(`${dataVar} is invalid`);
  const where = `${dataVar}${first.instancePath}`;
  if (first.keyword === 'additionalProperties') {
    return new Error(`${where} must not have property ${quoted(String(first.params.additionalProperty))}`);
  }
  // `parentSchema` is present because validation runs with Ajv's `verbose` option.
  const description = (first as { parentSchema?: { description?: unknown } }).parentSchema?.description;
  if (first.keyword === 'pattern' && typeof description === 'string') {
    return new Error(`${where} must be ${description}`);
  }
  return new Error(`${where} ${first.message ?? 'is invalid'}`);
}

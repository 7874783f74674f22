import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config, LogLevel } from './config';
import { HEALTH_PATH } from './contract';
import {
  API_HEADERS,
  ClientError,
  errorBody,
  formatSchemaError,
  handleError,
  handleNotFound,
  setApiHeaders,
  unavailable,
} from './errors';
import { jsonBodyParser } from './json-body';
import { serveOpenApiDocument } from './openapi';
import { petRoutes } from './pets/routes';
import dynamoDbPlugin, { type DynamoDbOptions } from './plugins/dynamodb';
import { OneLinePerRequestLogController, REQUEST_ID_HEADER, requestIdFor } from './request-logging';
import { healthSchema } from './schemas';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The first step of a graceful stop: keep serving, but answer with `Connection: close`, so
     * that clients (the gateway) stop reusing connections to this process. `close()` follows.
     */
    beginShutdown(): void;
    /**
     * The last step of a graceful stop, once the request timeout has passed since `close()`: every
     * connection still receiving its request gets the 408 that Node's own check (which stops with
     * `close()`) would have given, and goes after its linger; every other connection is dropped.
     */
    answerUnfinishedRequests(): void;
  }
}

export interface AppOptions {
  readonly tableName: string;
  readonly idempotencyTableName: string;
  readonly dynamodb: DynamoDbOptions;
  readonly logLevel: LogLevel;
  /** Where the JSON log lines go. @default - standard output */
  readonly logStream?: { write(line: string): void };
  /** Time a client has to send a whole request, headers and body. @default 10000 */
  readonly requestTimeoutMs?: number;
  /**
   * Registered before the routes, to see them: `describeRoutes` of openapi-document.ts makes the OpenAPI
   * document from them. @default - none: the committed document is served
   */
  readonly describeRoutes?: (app: FastifyInstance) => void;
}

/** The options the service runs with for a configuration; tests use them too. */
export function appOptionsFrom(config: Config): AppOptions {
  return {
    tableName: config.tableName,
    idempotencyTableName: config.idempotencyTableName,
    dynamodb: {
      region: config.region,
      endpoint: config.dynamodbEndpoint,
      credentials: config.localCredentials,
    },
    logLevel: config.logLevel,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
  };
}

/** A pet is a few hundred bytes; anything near this is not a pet. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export function buildApp(options: AppOptions): FastifyInstance {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const logController = new OneLinePerRequestLogController();
  const app = Fastify({
    logger: { level: options.logLevel, ...(options.logStream && { stream: options.logStream }) },
    logController,
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    // Node's default is no limit at all: a client trickling its body would hold a connection (and
    // a graceful stop) for ever. Node checks the limit periodically (every 30 s by default).
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(100, requestTimeoutMs / 4)),
    },
    // While closing, requests still arriving on open connections get the API's own 503 (onRequest
    // below) rather than Fastify's, which has no Retry-After and no request id.
    return503OnClosing: false,
    // Bad percent-encoding and over-long path parameters, which the router finds before any hook
    // (and before the log line is arranged: write it here).
    frameworkErrors(error, request, reply) {
      handleError(error, request, reply);
      logController.requestCompleted(null, request, reply);
    },
    clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
      answerClientError(app, error, socket);
    },
    ajv: {
      customOptions: {
        // Fastify's defaults would turn `"age": "5"` into 5 and silently drop unknown properties;
        // the API answers both with 400.
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
        // Puts `parentSchema` on errors, for formatSchemaError; costs nothing on valid input.
        verbose: true,
        // Checking our fixed schemas against the JSON Schema meta-schema took about half the cold
        // start. Unknown keywords are still refused at compile time (Ajv's strict mode), and the
        // tests exercise every rule.
        validateSchema: false,
        // Keeps each compiled schema under its `$id`, so one shared by several routes (the petId
        // params, the pet body) is compiled once rather than once per route.
        addUsedSchema: true,
      },
    },
    schemaErrorFormatter: formatSchemaError,
  });

  // Only JSON is accepted; Fastify would otherwise also parse text/plain bodies.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    jsonBodyParser(app.getDefaultJsonParser('error', 'error')),
  );

  // Which connection is serving which request: a connection with none is still receiving one.
  const sockets = new Set<Socket>();
  const requests = new Map<Socket, { request: IncomingMessage; response: ServerResponse }>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    requests.set(request.socket, { request, response });
    response.once('close', () => {
      if (requests.get(request.socket)?.request === request) requests.delete(request.socket);
    });
  });
  app.decorate('answerUnfinishedRequests', () => {
    app.server.closeIdleConnections();
    for (const socket of sockets) {
      if (socket.destroyed) continue;
      const current = requests.get(socket);
      if (current?.request.complete || current?.response.headersSent) {
        socket.destroy();
        continue;
      }
      const timeout = Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
      answerClientError(app, timeout, socket);
    }
  });

  let stopping = false;
  let closing = false;
  app.decorate('beginShutdown', () => {
    stopping = true;
  });
  app.addHook('preClose', (done) => {
    stopping = true;
    closing = true;
    done();
  });

  app.addHook('onRequest', (request, reply, done) => {
    setApiHeaders(request, reply);
    if (stopping) reply.header('connection', 'close');
    if (closing) {
      unavailable(reply, 'The service is restarting; retry shortly');
      return;
    }
    // RFC 9112 §3.2: a request with more than one Host field gets 400 (Node keeps the first and drops
    // the rest, so which host was meant would be a guess).
    if (hostFieldCount(request.raw.rawHeaders) > 1) {
      done(new ClientError(400, 'The request has more than one Host header'));
      return;
    }
    done();
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  options.describeRoutes?.(app);
  app.register(dynamoDbPlugin, options.dynamodb);
  app.register(petRoutes, {
    tableName: options.tableName,
    idempotencyTableName: options.idempotencyTableName,
  });

  serveOpenApiDocument(app);

  // Liveness only: it must not depend on DynamoDB, or a DynamoDB outage would get healthy tasks replaced.
  app.get(HEALTH_PATH, { schema: healthSchema }, async () => ({ status: 'ok' }));

  return app;
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (malformed HTTP, headers too large,
 * a request not received within the timeout), answered in the API's shape, with a request id and
 * a log line like any other request. The connection is closed: its bytes can no longer be trusted.
 */
function answerClientError(app: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const [statusCode, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request headers are too large']
        : [400, 'The request is not valid HTTP/1.1'];
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(statusCode, message));
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    [REQUEST_ID_HEADER]: requestId,
    ...API_HEADERS,
    connection: 'close',
  };
  app.log.info({ reqId: requestId, statusCode, code: error.code }, 'client error');
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n${body}`,
  );
  // `end` only half-closes: a client that keeps sending and never reads (a slowloris) would hold the
  // socket open for good. After a short linger, time for a client to read the answer before a reset
  // could discard it, the socket goes whatever the client does.
  const linger = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}

function hostFieldCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'host') count += 1;
  }
  return count;
}

/** How long a connection answered 400, 408 or 431 may stay half-closed before it is dropped. */
export const CLIENT_ERROR_LINGER_MS = 1000;

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

// Enough for UUIDs, API Gateway's base64 ids and most tracing formats; nothing that could forge a log line.
const TRUSTED_REQUEST_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/** The caller's `x-request-id` when it looks like an id, otherwise a new UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && TRUSTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Fastify logs "incoming request" and "request completed" for every request; one line, written
 * when the response is done, carries all of it: method, URL, status, time and (through the
 * request's child logger) the request id. Bodies are never logged.
 */
export class OneLinePerRequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) {
      reply.log.error({ ...line, err: error }, 'request errored');
    } else {
      reply.log.info(line, 'request completed');
    }
  }
}

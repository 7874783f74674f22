// The Idempotency-Key request header (IETF httpapi draft) on POST, PUT and DELETE, as request hooks:
// a repeat with the same key and request gets the first answer again (idempotency-store.ts keeps it).
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ClientError, handleError } from './errors';
import type { IdempotencyStore } from './idempotency-store';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

declare module 'fastify' {
  interface FastifyRequest {
    /** Ties this request's writes to it (repository tokens); the same for retries with one Idempotency-Key. */
    writeToken: string;
    /** The Idempotency-Key this request holds, until its answer is stored. */
    idempotencyClaim: { recordKey: string; claimToken: string; intended?: number } | null;
  }
}

const KEY_MAX_LENGTH = 255;
const INVALID_KEY = `Idempotency-Key must be a string of 1-${KEY_MAX_LENGTH} printable ASCII characters, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"`;
const KEY_WITHOUT_OWNER =
  'An Idempotency-Key is kept per user, and this token names none (no sub claim): send the request without the key';

/**
 * The key from the header: a Structured Field String as the draft specifies (`"…"`, with `\"` and
 * `\\` escapes), or, leniently, the bare token many clients send.
 */
export function parseIdempotencyKey(header: string): string | undefined {
  let key: string;
  if (header.startsWith('"')) {
    const match = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(header);
    if (match === null) return undefined;
    key = (match[1] ?? '').replace(/\\(["\\])/g, '$1');
  } else {
    if (!/^[\x21-\x7e]+$/.test(header)) return undefined;
    key = header;
  }
  return key.length >= 1 && key.length <= KEY_MAX_LENGTH ? key : undefined;
}

/**
 * Whose key it is: the `sub` of the token the gateway verified. API Gateway's JWT authorizer takes the
 * token alone or after `Bearer ` (http-api-jwt-authorizer.html), so both are read here; the payload is
 * read unverified, as the gateway has verified it on every write route. Two users' equal keys are then
 * two keys. `''` when there is no Authorization at all (only without the gateway: `npm run dev`);
 * undefined when a token is there but names no user, which must not share the anonymous scope.
 */
export function keyOwner(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return '';
  const token = authorization.replace(/^Bearer\s+/i, '');
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload?.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Method, path and body, the body's properties in a fixed order: what makes two requests the same. */
function fingerprintOf(request: FastifyRequest): string {
  const body = request.body as Record<string, unknown> | undefined;
  const path = request.url.split('?', 1)[0];
  const canonicalBody =
    body === undefined || body === null ? '' : JSON.stringify(body, Object.keys(body).sort());
  return sha256(`${request.method} ${path}\n${canonicalBody}`);
}

/** The preHandler and onSend hooks of every write route. */
export function idempotencyHooks(store: IdempotencyStore) {
  function claimKey(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) {
      request.writeToken = randomUUID();
      done();
      return;
    }
    const key = typeof header === 'string' ? parseIdempotencyKey(header) : undefined;
    if (key === undefined) {
      handleError(new ClientError(400, INVALID_KEY), request, reply);
      return;
    }
    const owner = keyOwner(request.headers.authorization);
    if (owner === undefined) {
      handleError(new ClientError(400, KEY_WITHOUT_OWNER), request, reply);
      return;
    }
    const recordKey = sha256(`${owner}\n${key}`);
    const claimToken = randomUUID();
    store.claim(recordKey, fingerprintOf(request), claimToken).then(
      (outcome) => {
        switch (outcome.kind) {
          case 'claimed':
            // Every run of this request, first or retried with the key, writes with the same
            // token, so a retry after a failure that left the write done finds its own write.
            request.writeToken = outcome.writeToken;
            request.idempotencyClaim = { recordKey, claimToken, intended: outcome.intended };
            done();
            return;
          case 'answered': {
            const { statusCode, body, location } = outcome.answer;
            reply.code(statusCode).header('idempotent-replayed', 'true');
            if (location !== undefined) reply.header('location', location);
            if (body === '') reply.send();
            else reply.type('application/json; charset=utf-8').send(body);
            return;
          }
          case 'other-request':
            handleError(
              new ClientError(422, 'This Idempotency-Key was used for a different request; use a new key'),
              request,
              reply,
            );
            return;
          case 'in-flight':
            handleError(
              new ClientError(
                409,
                'A request with this Idempotency-Key is still in progress; retry shortly',
                {
                  'retry-after': '1',
                },
              ),
              request,
              reply,
            );
            return;
        }
      },
      (error) => handleError(error, request, reply),
    );
  }

  function storeAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (error: Error | null, payload?: unknown) => void,
  ): void {
    const claim = request.idempotencyClaim;
    if (claim === null) {
      done(null, payload);
      return;
    }
    request.idempotencyClaim = null;
    const { statusCode } = reply;
    const location = reply.getHeader('location');
    // A 5xx, or anything else that says to retry (a 409 for a DELETE already under way), is not
    // the request's answer: let the client's retry run it again.
    const stored =
      statusCode >= 500 || reply.getHeader('retry-after') !== undefined
        ? store.release(claim.recordKey, claim.claimToken)
        : store.complete(claim.recordKey, claim.claimToken, {
            statusCode,
            body: typeof payload === 'string' ? payload : '',
            location: typeof location === 'string' ? location : undefined,
          });
    stored.then(
      () => done(null, payload),
      (error) => {
        // The write's answer stands; a retry with the key finds the key in flight until its lease
        // runs out, then runs again with the same write token.
        request.log.warn({ err: error }, 'could not store the answer for an Idempotency-Key');
        done(null, payload);
      },
    );
  }

  /**
   * For a keyed request: writes ahead `statusCode` before an effect a retry could not see. Without a
   * key there is nothing to write. Throws when DynamoDB cannot take it, so the effect does not happen.
   */
  async function intend(request: FastifyRequest, statusCode: number): Promise<void> {
    const claim = request.idempotencyClaim;
    if (claim) await store.intend(claim.recordKey, claim.claimToken, statusCode);
  }

  return { claimKey, storeAnswer, intend };
}

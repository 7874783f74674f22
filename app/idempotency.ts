// The Idempotency-Key request header (IETF httpapi draft) on POST, PUT and DELETE: a client that
// timed out (as behind API Gateway) retries with the same key and gets the first answer again.
// Keys live in their own table (hash key `idempotencyKey`), so the pets table's Scan never sees
// them; DynamoDB's TTL on `expiresAt` deletes them after a day. TTL deletes late (within days),
// so an expired record is also treated as absent here.
import { createHash, randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ClientError, handleError, isDynamoDbUnavailable } from './errors';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** How long a key is remembered. */
export const KEY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a claimed key counts as in flight. Longer than a write can take (its DynamoDB calls are
 * bounded to a few seconds each); past it, a process that died holding the key no longer blocks it.
 */
const LEASE_MS = 15_000;

/** Bounds the read that checks whether a claim landed when DynamoDB failed to answer it. */
const VERIFY_TIMEOUT_MS = 1000;

type Item = Record<string, AttributeValue>;

export interface StoredAnswer {
  readonly statusCode: number;
  readonly body: string;
  readonly location?: string | undefined;
}

export type ClaimOutcome =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'answered'; readonly answer: StoredAnswer }
  | { readonly kind: 'other-request' }
  | { readonly kind: 'in-flight' };

export interface IdempotencyStore {
  /** Reserves the key for this request (`claimToken`), or says why not. */
  claim(recordKey: string, fingerprint: string, claimToken: string): Promise<ClaimOutcome>;
  /** Stores the answer given to the request holding the key. */
  complete(recordKey: string, claimToken: string, answer: StoredAnswer): Promise<void>;
  /** Gives the key up, so that a retry runs the request again (after a 5xx). */
  release(recordKey: string, claimToken: string): Promise<void>;
}

/** IAM actions used: PutItem, UpdateItem, DeleteItem, GetItem. */
export function createIdempotencyStore(client: DynamoDBClient, tableName: string): IdempotencyStore {
  const key = (recordKey: string) => ({ idempotencyKey: { S: recordKey } });

  function outcomeFor(item: Item | undefined, fingerprint: string, claimToken: string): ClaimOutcome {
    // Our own claim, met again by the SDK's retry of a claim whose response was lost.
    if (item?.claimToken?.S === claimToken) return { kind: 'claimed' };
    if (item === undefined) return { kind: 'in-flight' };
    if (item.fingerprint?.S !== fingerprint) return { kind: 'other-request' };
    if (item.state?.S !== 'answered') return { kind: 'in-flight' };
    return {
      kind: 'answered',
      answer: {
        statusCode: Number(item.statusCode?.N),
        body: item.body?.S ?? '',
        location: item.location?.S,
      },
    };
  }

  return {
    async claim(recordKey, fingerprint, claimToken) {
      const now = Date.now();
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...key(recordKey),
              fingerprint: { S: fingerprint },
              claimToken: { S: claimToken },
              state: { S: 'in-flight' },
              leaseUntil: { N: String(now + LEASE_MS) },
              expiresAt: { N: String(Math.floor(now / 1000) + KEY_TTL_SECONDS) },
            },
            // Free, expired, or held by the same request whose holder died (its lease ran out).
            ConditionExpression:
              'attribute_not_exists(#key) OR #expiresAt < :nowSeconds OR (#state = :inFlight AND #leaseUntil < :now AND #fingerprint = :fingerprint)',
            ExpressionAttributeNames: {
              '#key': 'idempotencyKey',
              '#expiresAt': 'expiresAt',
              '#state': 'state',
              '#leaseUntil': 'leaseUntil',
              '#fingerprint': 'fingerprint',
            },
            ExpressionAttributeValues: {
              ':nowSeconds': { N: String(Math.floor(now / 1000)) },
              ':now': { N: String(now) },
              ':inFlight': { S: 'in-flight' },
              ':fingerprint': { S: fingerprint },
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { kind: 'claimed' };
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          return outcomeFor((error as { Item?: Item }).Item, fingerprint, claimToken);
        }
        if (!isDynamoDbUnavailable(error)) throw error;
        // The claim may have landed before DynamoDB stopped answering.
        const found = await client
          .send(new GetItemCommand({ TableName: tableName, Key: key(recordKey), ConsistentRead: true }), {
            abortSignal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
          })
          .catch(() => undefined);
        if (found?.Item?.claimToken?.S === claimToken) return { kind: 'claimed' };
        throw error;
      }
    },

    async complete(recordKey, claimToken, answer) {
      const values: Item = {
        ':claimToken': { S: claimToken },
        ':answered': { S: 'answered' },
        ':statusCode': { N: String(answer.statusCode) },
        ':body': { S: answer.body },
      };
      if (answer.location !== undefined) values[':location'] = { S: answer.location };
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(recordKey),
            UpdateExpression: `SET #state = :answered, #statusCode = :statusCode, #body = :body${answer.location === undefined ? '' : ', #location = :location'} REMOVE #leaseUntil`,
            // A holder whose lease ran out and was taken over must not overwrite the new holder.
            ConditionExpression: '#claimToken = :claimToken',
            // Names, not the attributes themselves: several are DynamoDB reserved words.
            ExpressionAttributeNames: {
              '#state': 'state',
              '#statusCode': 'statusCode',
              '#body': 'body',
              '#leaseUntil': 'leaseUntil',
              '#claimToken': 'claimToken',
              ...(answer.location !== undefined && { '#location': 'location' }),
            },
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async release(recordKey, claimToken) {
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: key(recordKey),
            ConditionExpression: '#claimToken = :claimToken',
            ExpressionAttributeNames: { '#claimToken': 'claimToken' },
            ExpressionAttributeValues: { ':claimToken': { S: claimToken } },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Ties this request's writes to it (repository tokens); the same for retries with one Idempotency-Key. */
    writeToken: string;
    /** The Idempotency-Key this request holds, until its answer is stored. */
    idempotencyClaim: { recordKey: string; claimToken: string } | null;
  }
}

const KEY_MAX_LENGTH = 255;
const INVALID_KEY = `Idempotency-Key must be a string of 1-${KEY_MAX_LENGTH} printable ASCII characters, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"`;

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
 * Whose key it is. The gateway has verified the JWT on every write route, so the subject is read
 * from it unverified: two users' equal keys are then two keys, and neither sees the other's answer.
 */
function scopeOf(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return '';
  try {
    const payload = JSON.parse(Buffer.from(authorization.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload?.sub === 'string' ? payload.sub : '';
  } catch {
    return '';
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
    const recordKey = sha256(`${scopeOf(request)}\n${key}`);
    const claimToken = randomUUID();
    // Every run of this request, first or retried with the key, writes with the same token, so a
    // retry after a failure that left the write done finds its own write (pets/repository.ts).
    request.writeToken = recordKey;
    store.claim(recordKey, fingerprintOf(request), claimToken).then(
      (outcome) => {
        switch (outcome.kind) {
          case 'claimed':
            request.idempotencyClaim = { recordKey, claimToken };
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
    // A 5xx is not an answer to the request: let the client's retry run it again.
    const stored =
      statusCode >= 500
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

  return { claimKey, storeAnswer };
}

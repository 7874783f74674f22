// The Idempotency-Key request header (IETF httpapi draft) on POST, PUT and DELETE: a client that
// timed out (as behind API Gateway) retries with the same key and gets the first answer again.
// Keys live in their own table (hash key `idempotencyKey`), so the pets table's Scan never sees
// them; DynamoDB's TTL on `expiresAt` deletes them after a day. TTL deletes late (within days),
// so an expired record is also treated as absent here. This file is the store; idempotency.ts the
// request hooks that use it.
import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isDynamoDbUnavailable } from './errors';

/** How long a key is remembered. */
export const KEY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a claimed key counts as in flight. Longer than a write can take (its DynamoDB calls are
 * bounded to a few seconds each); past it, a process that died holding the key no longer blocks it.
 */
export const LEASE_MS = 15_000;

/** Bounds the read that checks whether a claim landed when DynamoDB failed to answer it. */
const VERIFY_TIMEOUT_MS = 1000;

type Item = Record<string, AttributeValue>;

export interface StoredAnswer {
  readonly statusCode: number;
  readonly body: string;
  readonly location?: string | undefined;
}

export type ClaimOutcome =
  /** The request holds the key; its writes use `writeToken`, the same for every run of it. */
  | {
      readonly kind: 'claimed';
      readonly writeToken: string;
      /** The answer an earlier run of this request wrote ahead before acting, when it did. */
      readonly intended?: number;
    }
  | { readonly kind: 'answered'; readonly answer: StoredAnswer }
  | { readonly kind: 'other-request' }
  | { readonly kind: 'in-flight' };

export interface IdempotencyStore {
  /** Reserves the key for this request (`claimToken`), or says why not. */
  claim(recordKey: string, fingerprint: string, claimToken: string): Promise<ClaimOutcome>;
  /**
   * Writes ahead the status the request is about to earn, before a step whose effect a retry could not
   * see (a DELETE: the pet is gone afterwards). A retry that finds the effect already done answers it.
   */
  intend(recordKey: string, claimToken: string, statusCode: number): Promise<void>;
  /** Stores the answer given to the request holding the key. */
  complete(recordKey: string, claimToken: string, answer: StoredAnswer): Promise<void>;
  /** Gives the key up after a 5xx, so that a retry runs the request again, with the same write token. */
  release(recordKey: string, claimToken: string): Promise<void>;
}

// A record: `fingerprint` of the request; `state` in-flight (held by `claimToken` until
// `leaseUntil`), answered (`statusCode`, `body`, `location`) or released; `writeToken`, chosen when
// the key is first used and kept by every later run of the same request, so that a run after a
// failure finds the writes of the one before (pets/repository.ts); `intendedStatus`, written ahead of an
// effect a retry could not see; `expiresAt` for TTL.
// Names, not the attributes themselves, in expressions: several are DynamoDB reserved words.
const NAMES = {
  '#key': 'idempotencyKey',
  '#fingerprint': 'fingerprint',
  '#state': 'state',
  '#claimToken': 'claimToken',
  '#leaseUntil': 'leaseUntil',
  '#expiresAt': 'expiresAt',
  '#statusCode': 'statusCode',
  '#body': 'body',
  '#location': 'location',
  '#intendedStatus': 'intendedStatus',
} as const;

function namesFor(expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([name]) => expression.includes(name)));
}

/** IAM actions used: PutItem, UpdateItem, GetItem. */
export function createIdempotencyStore(client: DynamoDBClient, tableName: string): IdempotencyStore {
  const key = (recordKey: string) => ({ idempotencyKey: { S: recordKey } });

  async function update(
    recordKey: string,
    updateExpression: string,
    conditionExpression: string,
    values: Item,
  ): Promise<void> {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key(recordKey),
        UpdateExpression: updateExpression,
        ConditionExpression: conditionExpression,
        ExpressionAttributeNames: namesFor(`${updateExpression} ${conditionExpression}`),
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  }

  /** The record after DynamoDB failed to answer a claim, if it answers a quick read. */
  async function readAfterFailure(recordKey: string): Promise<Item | undefined> {
    const output = await client
      .send(new GetItemCommand({ TableName: tableName, Key: key(recordKey), ConsistentRead: true }), {
        abortSignal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
      })
      .catch(() => undefined);
    return output?.Item;
  }

  /** Runs a claiming write; `claimed` if it (or its lost earlier attempt) made `claimToken` the holder. */
  async function claiming(
    recordKey: string,
    claimToken: string,
    write: () => Promise<ClaimOutcome>,
    onConflict: (item: Item | undefined) => Promise<ClaimOutcome> | ClaimOutcome,
  ): Promise<ClaimOutcome> {
    try {
      return await write();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ConditionalCheckFailedException') {
        const item = (error as { Item?: Item }).Item;
        // Our own claim, met again by the SDK's retry of a claim whose response was lost.
        if (item?.claimToken?.S === claimToken)
          return { kind: 'claimed', writeToken: item.writeToken?.S ?? '' };
        return onConflict(item);
      }
      if (!isDynamoDbUnavailable(error)) throw error;
      const found = await readAfterFailure(recordKey);
      if (found?.claimToken?.S === claimToken)
        return { kind: 'claimed', writeToken: found.writeToken?.S ?? '' };
      throw error;
    }
  }

  return {
    async claim(recordKey, fingerprint, claimToken) {
      const now = Date.now();
      const nowSeconds = Math.floor(now / 1000);
      const writeToken = randomUUID();
      const condition = 'attribute_not_exists(#key) OR #expiresAt < :nowSeconds';
      return claiming(
        recordKey,
        claimToken,
        async () => {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                ...key(recordKey),
                fingerprint: { S: fingerprint },
                state: { S: 'in-flight' },
                claimToken: { S: claimToken },
                leaseUntil: { N: String(now + LEASE_MS) },
                writeToken: { S: writeToken },
                expiresAt: { N: String(nowSeconds + KEY_TTL_SECONDS) },
              },
              // A key never used, or used more than a day ago (TTL deletes late).
              ConditionExpression: condition,
              ExpressionAttributeNames: namesFor(condition),
              ExpressionAttributeValues: { ':nowSeconds': { N: String(nowSeconds) } },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return { kind: 'claimed', writeToken };
        },
        (item) => {
          if (item === undefined) return { kind: 'in-flight' };
          if (item.fingerprint?.S !== fingerprint) return { kind: 'other-request' };
          if (item.state?.S === 'answered') {
            return {
              kind: 'answered',
              answer: {
                statusCode: Number(item.statusCode?.N),
                body: item.body?.S ?? '',
                location: item.location?.S,
              },
            };
          }
          const free = item.state?.S === 'released' || Number(item.leaseUntil?.N ?? 0) < now;
          if (!free) return { kind: 'in-flight' };
          // Released after a 5xx, or held by a process that died: take it over, keeping its write token.
          const seen = item.claimToken?.S ?? '';
          return claiming(
            recordKey,
            claimToken,
            async () => {
              await update(
                recordKey,
                'SET #state = :inFlight, #claimToken = :claimToken, #leaseUntil = :leaseUntil',
                '#claimToken = :seen',
                {
                  ':inFlight': { S: 'in-flight' },
                  ':claimToken': { S: claimToken },
                  ':leaseUntil': { N: String(now + LEASE_MS) },
                  ':seen': { S: seen },
                },
              );
              const intended =
                item.intendedStatus?.N === undefined ? undefined : Number(item.intendedStatus.N);
              return { kind: 'claimed', writeToken: item.writeToken?.S ?? '', intended };
            },
            () => ({ kind: 'in-flight' }),
          );
        },
      );
    },

    async complete(recordKey, claimToken, answer) {
      const values: Item = {
        ':claimToken': { S: claimToken },
        ':answered': { S: 'answered' },
        ':statusCode': { N: String(answer.statusCode) },
        ':body': { S: answer.body },
      };
      if (answer.location !== undefined) values[':location'] = { S: answer.location };
      const location = answer.location === undefined ? '' : ', #location = :location';
      try {
        // A holder whose lease ran out and was taken over must not overwrite the new holder.
        await update(
          recordKey,
          `SET #state = :answered, #statusCode = :statusCode, #body = :body${location} REMOVE #leaseUntil`,
          '#claimToken = :claimToken',
          values,
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async intend(recordKey, claimToken, statusCode) {
      await update(recordKey, 'SET #intendedStatus = :status', '#claimToken = :claimToken', {
        ':status': { N: String(statusCode) },
        ':claimToken': { S: claimToken },
      });
    },

    async release(recordKey, claimToken) {
      try {
        await update(recordKey, 'SET #state = :released REMOVE #leaseUntil', '#claimToken = :claimToken', {
          ':released': { S: 'released' },
          ':claimToken': { S: claimToken },
        });
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
}

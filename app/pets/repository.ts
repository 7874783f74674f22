import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isDynamoDbUnavailable } from '../errors';
import type { Pet, PetInput } from '../schemas';

type Item = Record<string, AttributeValue>;

export interface PetPageResult {
  pets: Pet[];
  /** The petId to continue after, when there are more pets. */
  lastPetId: string | undefined;
}

export type DeleteOutcome = 'deleted' | 'not-found' | 'deleting';

/**
 * Every write takes the token of the request it serves: a new UUID per request, or one derived
 * from its Idempotency-Key (app/idempotency.ts), so that a client's retry is the same request.
 */
export interface PetRepository {
  get(petId: string): Promise<Pet | undefined>;
  /** Stores a new pet; `undefined` when one with that id exists (nothing is overwritten). */
  create(petId: string, input: PetInput, token: string): Promise<Pet | undefined>;
  /** Stores the pet whole, keeping `createdAt` of the one it replaces. */
  replace(petId: string, input: PetInput, token: string): Promise<{ pet: Pet; created: boolean }>;
  /** `deleting` when another request is deleting the pet at this moment. */
  /** `beforeDelete` runs once the pet bears this request's mark, before it goes; it may refuse by throwing. */
  delete(petId: string, token: string, beforeDelete?: () => Promise<void>): Promise<DeleteOutcome>;
  list(limit: number, afterPetId: string | undefined): Promise<PetPageResult>;
}

const OPTIONAL_ATTRIBUTES = ['species', 'age', 'tag'] as const;

// Attributes that tie an item to the requests that wrote it, never shown to clients. When a write
// reaches DynamoDB but its response is lost, the SDK sends it again, and the retry meets the state
// the first attempt left; these tell "my own earlier attempt" from "another request":
// `createToken` is the token of the request that created the pet (set once, never changed),
// `writeToken` that of the last POST or PUT, `deleteToken` and `deleteMarkedAt` a DELETE in progress.

/**
 * A DELETE's mark older than this is abandoned (its process died between the two steps) and may be
 * taken over. Far longer than a DELETE can take between them: each DynamoDB call is bounded to a
 * few seconds (plugins/dynamodb.ts).
 */
const DELETE_MARK_STALE_MS = 10_000;

/**
 * When a write's last attempt failed on the network or timed out, an earlier attempt may still have
 * landed: one read (bounded to this, retries included) tells, if DynamoDB answers again.
 */
const VERIFY_TIMEOUT_MS = 1000;

function isConditionalCheckFailure(
  error: unknown,
): error is { Item?: Item; $metadata?: { attempts?: number } } {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

/**
 * Data access for the pets table (hash key `petId`, a string). Uses the low-level client and
 * converts items by hand: four known attributes do not need lib-dynamodb's generic marshalling,
 * which costs CPU on every call. IAM actions used: GetItem, PutItem, UpdateItem, DeleteItem, Scan.
 */
export function createPetRepository(client: DynamoDBClient, tableName: string): PetRepository {
  const key = (petId: string) => ({ petId: { S: petId } });

  /** The item as DynamoDB holds it now, or `null` when that cannot be learnt quickly. */
  async function readAfterFailure(petId: string): Promise<Item | undefined | null> {
    try {
      const output = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(petId), ConsistentRead: true }),
        { abortSignal: AbortSignal.timeout(VERIFY_TIMEOUT_MS) },
      );
      return output.Item;
    } catch {
      return null;
    }
  }

  /** Runs a write; when DynamoDB became unreachable, asks `landed` about the item it finds then. */
  async function resolving<T>(
    petId: string,
    write: () => Promise<T>,
    landed: (item: Item | undefined) => T | undefined,
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isDynamoDbUnavailable(error)) throw error;
      const item = await readAfterFailure(petId);
      const outcome = item === null ? undefined : landed(item);
      if (outcome === undefined) throw error;
      return outcome;
    }
  }

  return {
    async get(petId) {
      // Strongly consistent, so a pet is readable as soon as its POST or PUT has answered.
      const output = await client.send(
        new GetItemCommand({ TableName: tableName, Key: key(petId), ConsistentRead: true }),
      );
      return output.Item === undefined ? undefined : petFromItem(output.Item);
    },

    async create(petId, input, token) {
      const now = new Date().toISOString();
      const pet = petFrom(petId, input, now, now);
      const item = itemFromPet(pet);
      item.createToken = { S: token };
      item.writeToken = { S: token };
      const ours = (found: Item | undefined) => found?.createToken?.S === token;
      return resolving(
        petId,
        async () => {
          try {
            // The condition makes "create unless it exists" one atomic step, also under concurrent requests.
            await client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: item,
                ConditionExpression: 'attribute_not_exists(petId)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            );
            return pet;
          } catch (error) {
            // The pet that exists may be the one this request's own earlier attempt created.
            if (isConditionalCheckFailure(error)) return ours(error.Item) ? pet : undefined;
            throw error;
          }
        },
        (found) => (ours(found) ? pet : undefined),
      );
    },

    async replace(petId, input, token) {
      // One UpdateItem replaces every attribute but createdAt and createToken, which only a new
      // item gets, and returns the old item, so "replaced or created" needs no separate read (and
      // has no race). A retry of a PUT that landed finds that PUT's own item: its createToken and
      // createdAt (this request's token and time) say whether that attempt created the pet.
      const now = new Date().toISOString();
      const set = [
        '#name = :name',
        '#updatedAt = :now',
        '#createdAt = if_not_exists(#createdAt, :now)',
        '#writeToken = :token',
        '#createToken = if_not_exists(#createToken, :token)',
      ];
      const remove: string[] = [];
      const names: Record<string, string> = {
        '#name': 'name',
        '#createdAt': 'createdAt',
        '#updatedAt': 'updatedAt',
        '#writeToken': 'writeToken',
        '#createToken': 'createToken',
      };
      const values: Item = { ':name': { S: input.name }, ':now': { S: now }, ':token': { S: token } };
      for (const attribute of OPTIONAL_ATTRIBUTES) {
        names[`#${attribute}`] = attribute;
        const value = input[attribute];
        if (value === undefined) {
          remove.push(`#${attribute}`);
        } else {
          set.push(`#${attribute} = :${attribute}`);
          values[`:${attribute}`] = typeof value === 'number' ? { N: String(value) } : { S: value };
        }
      }
      const createdByUs = (item: Item) => item.createToken?.S === token && item.createdAt?.S === now;
      const result = (old: Item | undefined) => {
        const created = old === undefined || createdByUs(old);
        return { pet: petFrom(petId, input, old?.createdAt?.S ?? now, now), created };
      };
      return resolving(
        petId,
        async () => {
          const output = await client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: key(petId),
              UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_OLD',
            }),
          );
          return result(output.Attributes);
        },
        // Landed when the item holds this write; what it found before is then told by createToken.
        (found) =>
          found?.writeToken?.S === token && found.updatedAt?.S === now
            ? { pet: petFrom(petId, input, found.createdAt?.S ?? now, now), created: createdByUs(found) }
            : undefined,
      );
    },

    async delete(petId, token, beforeDelete) {
      // Two steps, so that the item carries this request's token before it goes: mark it, then
      // delete it only if it still bears this mark. A DELETE whose response was lost and is sent
      // again then knows the pet is gone because of it: nobody else can remove a fresh mark (other
      // DELETEs wait for it to go stale, PUT leaves it, POST needs the pet absent).
      const now = Date.now();
      const values = { ':token': { S: token } };
      const marked = await resolving<DeleteOutcome | 'marked'>(
        petId,
        async () => {
          try {
            await client.send(
              new UpdateItemCommand({
                TableName: tableName,
                Key: key(petId),
                UpdateExpression: 'SET #deleteToken = :token, #deleteMarkedAt = :now',
                ConditionExpression:
                  'attribute_exists(petId) AND (attribute_not_exists(#deleteToken) OR #deleteToken = :token OR #deleteMarkedAt < :stale)',
                ExpressionAttributeNames: {
                  '#deleteToken': 'deleteToken',
                  '#deleteMarkedAt': 'deleteMarkedAt',
                },
                ExpressionAttributeValues: {
                  ...values,
                  ':now': { N: String(now) },
                  ':stale': { N: String(now - DELETE_MARK_STALE_MS) },
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            );
            return 'marked';
          } catch (error) {
            if (isConditionalCheckFailure(error)) return error.Item === undefined ? 'not-found' : 'deleting';
            throw error;
          }
        },
        (found) =>
          found === undefined ? 'not-found' : found.deleteToken?.S === token ? 'marked' : undefined,
      );
      if (marked !== 'marked') return marked;
      await beforeDelete?.();
      return resolving<DeleteOutcome>(
        petId,
        async () => {
          try {
            await client.send(
              new DeleteItemCommand({
                TableName: tableName,
                Key: key(petId),
                ConditionExpression: '#deleteToken = :token',
                ExpressionAttributeNames: { '#deleteToken': 'deleteToken' },
                ExpressionAttributeValues: values,
              }),
            );
            return 'deleted';
          } catch (error) {
            // The mark is gone: an earlier attempt of this very call deleted the pet, or (first
            // attempt) the mark went stale and another DELETE took the pet.
            if (isConditionalCheckFailure(error))
              return (error.$metadata?.attempts ?? 1) > 1 ? 'deleted' : 'not-found';
            throw error;
          }
        },
        (found) => (found?.deleteToken?.S === token ? undefined : 'deleted'),
      );
    },

    async list(limit, afterPetId) {
      // One more than the page: a Scan that stops at its Limit reports a LastEvaluatedKey even
      // when nothing follows, which would hand the client an empty last page.
      const output = await client.send(
        new ScanCommand({
          TableName: tableName,
          Limit: limit + 1,
          ExclusiveStartKey: afterPetId === undefined ? undefined : key(afterPetId),
        }),
      );
      const items = output.Items ?? [];
      if (items.length > limit) {
        const pets = items.slice(0, limit).map(petFromItem);
        return { pets, lastPetId: pets[pets.length - 1]?.petId };
      }
      // Fewer than asked with a LastEvaluatedKey: the Scan stopped at its 1 MB page; more may follow.
      return { pets: items.map(petFromItem), lastPetId: output.LastEvaluatedKey?.petId?.S };
    },
  };
}

function petFrom(petId: string, input: PetInput, createdAt: string, updatedAt: string): Pet {
  const pet: Pet = { petId, name: input.name, createdAt, updatedAt };
  if (input.species !== undefined) pet.species = input.species;
  if (input.age !== undefined) pet.age = input.age;
  if (input.tag !== undefined) pet.tag = input.tag;
  return pet;
}

function itemFromPet(pet: Pet): Item {
  const item: Item = {
    petId: { S: pet.petId },
    name: { S: pet.name },
    createdAt: { S: pet.createdAt },
    updatedAt: { S: pet.updatedAt },
  };
  if (pet.species !== undefined) item.species = { S: pet.species };
  if (pet.age !== undefined) item.age = { N: String(pet.age) };
  if (pet.tag !== undefined) item.tag = { S: pet.tag };
  return item;
}

function petFromItem(item: Item): Pet {
  const pet: Pet = {
    petId: item.petId?.S ?? '',
    name: item.name?.S ?? '',
    createdAt: item.createdAt?.S ?? '',
    updatedAt: item.updatedAt?.S ?? '',
  };
  if (item.species?.S !== undefined) pet.species = item.species.S;
  if (item.age?.N !== undefined) pet.age = Number(item.age.N);
  if (item.tag?.S !== undefined) pet.tag = item.tag.S;
  return pet;
}

import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Pet, PetInput } from '../schemas';

type Item = Record<string, AttributeValue>;

export interface PetPageResult {
  pets: Pet[];
  /** The petId to continue after, when DynamoDB says there may be more. */
  lastPetId: string | undefined;
}

export interface PetRepository {
  get(petId: string): Promise<Pet | undefined>;
  /** Stores a new pet; `undefined` when one with that id exists (nothing is overwritten). */
  create(petId: string, input: PetInput): Promise<Pet | undefined>;
  /** Stores the pet whole, keeping `createdAt` of the one it replaces. */
  replace(petId: string, input: PetInput): Promise<{ pet: Pet; created: boolean }>;
  /** `false` when there was no such pet. */
  delete(petId: string): Promise<boolean>;
  list(limit: number, afterPetId: string | undefined): Promise<PetPageResult>;
}

const OPTIONAL_ATTRIBUTES = ['species', 'age', 'tag'] as const;

/**
 * Data access for the pets table (hash key `petId`, a string). Uses the low-level client and
 * converts items by hand: four known attributes do not need lib-dynamodb's generic marshalling,
 * which costs CPU on every call. IAM actions used: GetItem, PutItem, UpdateItem, DeleteItem, Scan.
 */
export function createPetRepository(client: DynamoDBClient, tableName: string): PetRepository {
  return {
    async get(petId) {
      // Strongly consistent, so a pet is readable as soon as its POST or PUT has answered.
      const output = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { petId: { S: petId } }, ConsistentRead: true }),
      );
      return output.Item === undefined ? undefined : petFromItem(output.Item);
    },

    async create(petId, input) {
      const now = new Date().toISOString();
      const pet = petFrom(petId, input, now, now);
      try {
        // The condition makes "create unless it exists" one atomic step, also under concurrent requests.
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: itemFromPet(pet),
            ConditionExpression: 'attribute_not_exists(petId)',
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
        throw error;
      }
      return pet;
    },

    async replace(petId, input) {
      // One UpdateItem replaces every attribute but createdAt, which only a new item gets, and
      // returns the old item, so "replaced or created" needs no separate read (and has no race).
      const now = new Date().toISOString();
      const set = ['#name = :name', '#updatedAt = :now', '#createdAt = if_not_exists(#createdAt, :now)'];
      const remove: string[] = [];
      const names: Record<string, string> = {
        '#name': 'name',
        '#createdAt': 'createdAt',
        '#updatedAt': 'updatedAt',
      };
      const values: Item = { ':name': { S: input.name }, ':now': { S: now } };
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
      const output = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { petId: { S: petId } },
          UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      const createdAt = output.Attributes?.createdAt?.S ?? now;
      return { pet: petFrom(petId, input, createdAt, now), created: output.Attributes === undefined };
    },

    async delete(petId) {
      const output = await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: { petId: { S: petId } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return output.Attributes !== undefined;
    },

    async list(limit, afterPetId) {
      const output = await client.send(
        new ScanCommand({
          TableName: tableName,
          Limit: limit,
          ExclusiveStartKey: afterPetId === undefined ? undefined : { petId: { S: afterPetId } },
        }),
      );
      return {
        pets: (output.Items ?? []).map(petFromItem),
        lastPetId: output.LastEvaluatedKey?.petId?.S,
      };
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

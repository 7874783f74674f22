import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../app/app';
import { createTable, productionOptions, startLocalDynamoDb } from './helpers';

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The service as production builds it, on a local DynamoDB of its own, for one test file: starts it
 * before the file's tests and closes it after them.
 */
export function usePetApp() {
  const state = {} as { app: FastifyInstance; dynamodb: Awaited<ReturnType<typeof startLocalDynamoDb>> };
  let idCounter = 0;
  beforeAll(async () => {
    state.dynamodb = await startLocalDynamoDb();
    state.app = buildApp(
      productionOptions(state.dynamodb.endpoint, await createTable(state.dynamodb.endpoint)),
    );
    await state.app.ready();
  });
  afterAll(async () => {
    await state.app?.close();
    await state.dynamodb?.close();
  });
  return {
    app: () => state.app,
    dynamodbEndpoint: () => state.dynamodb.endpoint,
    /** A petId no other test uses. */
    newPetId(): string {
      idCounter += 1;
      return `pet-${idCounter}-${Date.now()}`;
    },
    send(method: InjectOptions['method'], url: string, body?: unknown) {
      return state.app.inject({
        method,
        url,
        ...(body !== undefined && {
          payload: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
      });
    },
  };
}

export function expectError(
  response: { statusCode: number; json(): unknown },
  statusCode: number,
  message: RegExp,
) {
  expect(response.statusCode).toBe(statusCode);
  const body = response.json() as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(body.statusCode).toBe(statusCode);
  expect(body.message).toMatch(message);
}

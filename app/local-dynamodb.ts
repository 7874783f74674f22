// A local DynamoDB-compatible server for `npm run dev`, the tests and the benchmark: dynalite, in
// memory, taught the one DynamoDB feature the service relies on that it lacks.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import dynalite from 'dynalite';

interface ConditionalError extends Error {
  body?: Record<string, unknown>;
}

interface DynaliteDb {
  checkConditional(data: Record<string, unknown>, existingItem: unknown): ConditionalError | null | undefined;
}

const WRITE_ACTIONS = ['putItem', 'updateItem', 'deleteItem'] as const;
let taught = false;

/**
 * DynamoDB returns the item a failed condition was checked against when a write asks with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` (app/pets/repository.ts reads it to tell its
 * own retried write from someone else's). dynalite 4 drops that parameter, so this adds it where
 * DynamoDB does it: inside the item's lock, in the same step as the failed check.
 */
function teachReturnValuesOnConditionCheckFailure(): void {
  if (taught) return;
  taught = true;
  const require = createRequire(import.meta.url);
  const db = require('dynalite/db') as DynaliteDb;
  for (const action of WRITE_ACTIONS) {
    const validation = require(`dynalite/validations/${action}`) as { types: Record<string, unknown> };
    validation.types.ReturnValuesOnConditionCheckFailure = { type: 'String', enum: ['ALL_OLD', 'NONE'] };
  }
  const checkConditional = db.checkConditional;
  db.checkConditional = (data, existingItem) => {
    const failure = checkConditional(data, existingItem);
    if (
      failure?.body !== undefined &&
      existingItem &&
      data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
    ) {
      failure.body.Item = existingItem;
    }
    return failure;
  };
}

/** dynalite in memory, with tables ready as soon as they are created. Not listening yet. */
export function createLocalDynamoDb(): Server {
  teachReturnValuesOnConditionCheckFailure();
  return dynalite({ createTableMs: 0, deleteTableMs: 0 });
}

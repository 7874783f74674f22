import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    dynamodb: DynamoDBClient;
  }
}

export interface DynamoDbOptions {
  readonly region: string;
  /** A local DynamoDB-compatible server. @default - the regional AWS endpoint */
  readonly endpoint?: string | undefined;
  /** @default - the SDK's default provider chain (the ECS task role in the container) */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** Time allowed to open a connection. @default 1000 */
  readonly connectionTimeoutMs?: number;
  /** Time allowed for one attempt, connecting included. @default 1000 */
  readonly requestTimeoutMs?: number;
}

/**
 * The client's limits bound how long a request waits on an unreachable or throttling DynamoDB:
 * at most 3 attempts of at most 1 s each plus the SDK's jittered back-off (≤ 0.15 s between
 * network failures, ≤ 1 s then ≤ 2 s between throttles), so the service answers 503 within a few
 * seconds instead of holding requests for the SDK's default of no timeout at all.
 */
export function createDynamoDbClient(options: DynamoDbOptions): DynamoDBClient {
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
      requestTimeout: options.requestTimeoutMs ?? 1000,
      throwOnRequestTimeout: true,
    },
    // Resolve each command's middleware chain once, not on every call (profiled: a few per cent of
    // the CPU of each request). Safe because the stack is not changed after the first request.
    cacheMiddleware: true,
  });
  // This middleware copies and filters every command's input and output for the SDK's logger even
  // when there is none to log to (profiled: ~1% of each request). Nothing here reads SDK logs.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** Decorates the instance with `dynamodb` and releases its sockets when the instance closes. */
async function dynamoDbPlugin(app: FastifyInstance, options: DynamoDbOptions): Promise<void> {
  const client = createDynamoDbClient(options);
  app.decorate('dynamodb', client);
  app.addHook('onClose', async () => client.destroy());
}

// Not encapsulated, so the routes registered beside it see `app.dynamodb`. No `fastify` version
// range: package.json pins the major, and Fastify's semver check of it cost ~3 ms of cold start.
export default fp(dynamoDbPlugin, { name: 'dynamodb' });

import Fastify, { type FastifyInstance } from 'fastify';
import type { Config, LogLevel } from './config';
import { formatSchemaError, handleError, handleNotFound } from './errors';
import { petRoutes } from './pets/routes';
import dynamoDbPlugin, { type DynamoDbOptions } from './plugins/dynamodb';
import { OneLinePerRequestLogController, REQUEST_ID_HEADER, requestIdFor } from './request-logging';
import { healthSchema } from './schemas';

export interface AppOptions {
  readonly tableName: string;
  readonly dynamodb: DynamoDbOptions;
  readonly logLevel: LogLevel;
  /** Where the JSON log lines go. @default - standard output */
  readonly logStream?: { write(line: string): void };
}

/** The options the service runs with for a configuration; tests use them too. */
export function appOptionsFrom(config: Config): AppOptions {
  return {
    tableName: config.tableName,
    dynamodb: {
      region: config.region,
      endpoint: config.dynamodbEndpoint,
      credentials: config.localCredentials,
    },
    logLevel: config.logLevel,
  };
}

/** A pet is a few hundred bytes; anything near this is not a pet. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: { level: options.logLevel, ...(options.logStream && { stream: options.logStream }) },
    logController: new OneLinePerRequestLogController(),
    genReqId: requestIdFor,
    bodyLimit: BODY_LIMIT_BYTES,
    // Past find-my-way's default of 100 characters a long petId would be a 404, not the 400 it is.
    routerOptions: { maxParamLength: 1000 },
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
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  app.register(dynamoDbPlugin, options.dynamodb);
  app.register(petRoutes, { tableName: options.tableName });

  // Liveness only: it must not depend on DynamoDB, or a DynamoDB outage would get healthy tasks replaced.
  app.get('/health', { schema: healthSchema }, async () => ({ status: 'ok' }));

  return app;
}

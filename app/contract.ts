/**
 * What the pet service and the infrastructure that runs it agree on, written once: the service reads
 * it (app/), and the task definition, security group and HTTP API are built from it (constructs/).
 */

/** The port the service listens on, the container maps and the tasks' security group admits. */
export const SERVICE_PORT = 8080;

/** ECS sends SIGKILL this long after SIGTERM: the task definition's stopTimeout. */
export const STOP_TIMEOUT_SECONDS = 30;

/**
 * How long the service keeps serving after SIGTERM, while the gateway's view of Cloud Map still holds
 * the stopping task (docs/api.md says what this rests on). It plus one request timeout of draining
 * must fit in the stop timeout, with this margin.
 */
export const PRE_STOP_DELAY_SECONDS = 15;
export const STOP_MARGIN_SECONDS = 2;

/** The environment variables the task definition sets and the service reads. */
export const SERVICE_ENVIRONMENT = {
  port: 'PORT',
  tableName: 'TABLE_NAME',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  region: 'AWS_REGION',
} as const;

/** The container's health check, which the gateway never routes. */
export const HEALTH_PATH = '/health';

/**
 * The one scope Cognito puts in every access token that its sign-in APIs issue (SRP, password, admin),
 * and in no ID token: ID tokens carry no `scope` claim at all. Requiring it is how the API tells an
 * access token from an ID token. A custom resource-server scope would not do: tokens from
 * InitiateAuth/AdminInitiateAuth never carry one (only the OAuth flows of a Cognito domain, or a
 * pre-token-generation Lambda on a paid feature plan, can add it).
 */
export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

/** What a write route requires of a token's `scope` claim: the gateway checks it, the OpenAPI document lists it. */
export const WRITE_ROUTE_SCOPES: readonly string[] = [ACCESS_TOKEN_SCOPE];

export interface PetRoute {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** In API Gateway's form: `{petId}`. */
  readonly path: string;
  /** Writes need a Cognito access token; reads are public. */
  readonly requiresToken: boolean;
}

/** The pet API: the routes the service declares and the HTTP API routes, each once. */
export const PET_ROUTES = {
  // The API's OpenAPI document (app/openapi.ts), public like the reads.
  openApiDocument: { method: 'GET', path: '/petstore/openapi.json', requiresToken: false },
  listPets: { method: 'GET', path: '/petstore/pets', requiresToken: false },
  // The service answers HEAD itself, without the Scan a GET runs; API Gateway matches methods exactly.
  headPets: { method: 'HEAD', path: '/petstore/pets', requiresToken: false },
  getPet: { method: 'GET', path: '/petstore/pets/{petId}', requiresToken: false },
  createPet: { method: 'POST', path: '/petstore/pets/{petId}', requiresToken: true },
  replacePet: { method: 'PUT', path: '/petstore/pets/{petId}', requiresToken: true },
  deletePet: { method: 'DELETE', path: '/petstore/pets/{petId}', requiresToken: true },
} as const satisfies Record<string, PetRoute>;

/** API Gateway's route key: `GET /petstore/pets/{petId}`. */
export function routeKey(route: PetRoute): string {
  return `${route.method} ${route.path}`;
}

/** The route's path as Fastify declares it: `/petstore/pets/:petId`. */
export function fastifyPath(route: PetRoute): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1');
}

// The API's OpenAPI 3.1 document, made by @fastify/swagger from the route schemas (schemas.ts) and
// the route list (contract.ts): nothing here describes a route by hand. `npm run openapi` writes it to
// docs/openapi.json, which the service serves (openapi.ts). Not in the production bundle: registering
// @fastify/swagger roughly doubled the CPU the app took to get ready, for a document that is fixed at
// build time.
import fastifySwagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { fastifyPath, PET_ROUTES, type PetRoute, WRITE_ROUTE_SCOPES } from './contract';

/** The name of the security scheme of the write routes. */
export const SECURITY_SCHEME = 'cognito';

/** Where the document says to find the pool's OpenID configuration, until a stack's is filled in. */
const DISCOVERY_URL_PLACEHOLDER = cognitoDiscoveryUrl('REGION', 'USER_POOL_ID');

/** The OpenID Connect discovery document of a Cognito user pool, which names its keys and endpoints. */
export function cognitoDiscoveryUrl(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}/.well-known/openid-configuration`;
}

// What API Gateway answers itself, in its own shape, before a request reaches the service.
const gatewayError = (description: string) => ({
  description,
  title: 'GatewayError',
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
});
const GATEWAY_AUTH_ERRORS = {
  401: gatewayError('From the gateway: no access token, or one that is invalid or expired'),
  403: gatewayError(`From the gateway: the token lacks the scope ${WRITE_ROUTE_SCOPES.join(' ')}`),
};
const GATEWAY_THROTTLED = { 429: gatewayError("From the gateway: over the stage's throttling limits") };

const routesByFastifyKey = new Map(
  Object.entries(PET_ROUTES).map(([operationId, route]: [string, PetRoute]) => [
    `${route.method} ${fastifyPath(route)}`,
    { operationId, route },
  ]),
);

const DESCRIPTION = `The pet store behind API Gateway. Reads are public; writes need a Cognito access token (the ${WRITE_ROUTE_SCOPES.join(' ')} scope, which ID tokens lack), sent as \`Authorization: Bearer <token>\`. Every answer carries \`x-request-id\`, \`X-Content-Type-Options: nosniff\` and \`Cache-Control: no-store\`. Errors are \`{ statusCode, error, message }\`; the gateway's own (401, 403, 429) are \`{ message }\`. Without the gateway (\`npm run dev\`), a known path with another method gets 405 with \`Allow\`.`;

const OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'Pet store API', version: '1.0.0', description: DESCRIPTION },
    components: {
      // The not-found handler's answer (errors.ts), which no route declares.
      responses: {
        MethodNotAllowed: {
          description: 'Without the gateway only (npm run dev): a known path with another method',
          headers: { allow: { description: 'The methods the path takes', schema: { type: 'string' } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'openIdConnect',
          openIdConnectUrl: DISCOVERY_URL_PLACEHOLDER,
          description:
            "Access tokens of the stack's Cognito user pool (npm run local:token locally). `npm run openapi -- --stack <stack>` fills in the pool",
        },
      },
    },
  },
  // The explicit HEAD route is one of the API's; Fastify's HEAD twins of GET routes are hidden below.
  exposeHeadRoutes: true,
  transform({ schema, url, route }) {
    const method = [route.method].flat()[0];
    const known = routesByFastifyKey.get(`${method} ${url}`);
    // /health and the HEAD twins: not routed by the gateway, so not the API's.
    if (known === undefined) return { schema: { ...schema, hide: true }, url };
    const { operationId, route: petRoute } = known;
    const response = {
      ...(schema.response as object),
      ...(petRoute.requiresToken && GATEWAY_AUTH_ERRORS),
      ...GATEWAY_THROTTLED,
    };
    return {
      url,
      schema: {
        ...schema,
        operationId,
        response,
        ...(petRoute.requiresToken && { security: [{ [SECURITY_SCHEME]: [...WRITE_ROUTE_SCOPES] }] }),
      },
    };
  },
  transformObject: (documentObject) =>
    finish((documentObject as { openapiObject: DocumentJson }).openapiObject),
};

interface DocumentJson {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
  readonly components: Record<string, unknown> & { responses?: unknown };
}

function finish(document: DocumentJson): DocumentJson {
  // HEAD answers have no body.
  for (const operations of Object.values(document.paths)) {
    for (const answer of Object.values(operations.head?.responses ?? {})) delete answer.content;
  }
  const schemas: Record<string, unknown> = {};
  const { paths, responses } = hoistTitledSchemas(
    { paths: document.paths, responses: document.components.responses },
    schemas,
  );
  return { ...document, paths, components: { ...document.components, responses, schemas } };
}

/**
 * Every schema with a `title` (schemas.ts names Pet, PetInput, PetPage, Error) goes under
 * `components.schemas` once, and each use becomes a `$ref`: the document reads as the API's few types
 * rather than the same object fifty times. The `description` of a use is its answer's, kept there.
 */
function hoistTitledSchemas<T>(value: T, named: Record<string, unknown>): T {
  if (Array.isArray(value)) return value.map((item) => hoistTitledSchemas(item, named)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, hoistTitledSchemas(item, named)]),
  );
  if (typeof copy.title !== 'string' || copy.type !== 'object') return copy as T;
  const { description: _, ...schema } = copy;
  named[copy.title] = schema;
  return { $ref: `#/components/schemas/${copy.title}` } as T;
}

/**
 * Registers @fastify/swagger, which must see every route as it is added: pass it as `describeRoutes`
 * (app.ts), and `app.swagger()` is the document once the app is ready.
 */
export function describeRoutes(app: FastifyInstance): void {
  app.register(fastifySwagger, OPTIONS);
}

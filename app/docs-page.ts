// `npm run dev` only: an interactive page of the OpenAPI document (Swagger UI), whose assets come from
// the package itself, not a CDN. The production bundle does not include it: docs/api.md says why.
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const DOCS_PATH = '/docs';

export function registerDocsPage(app: FastifyInstance): void {
  // "Try it out" open on every operation: the page is for trying the API.
  app.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { tryItOutEnabled: true } });
}

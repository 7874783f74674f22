// The route that serves the API's OpenAPI document. In production, the committed docs/openapi.json
// (bundled), which a test holds equal to what the route schemas make; where the app describes its own
// routes (`describeRoutes`: npm run dev, npm run openapi, the tests), the document it makes.
import type { FastifyInstance } from 'fastify';
import committed from '../docs/openapi.json' with { type: 'json' };
import { fastifyPath, PET_ROUTES } from './contract';
import { openApiDocumentSchema } from './schemas';

export function serveOpenApiDocument(app: FastifyInstance): void {
  app.register(async (instance) => {
    let served: string | undefined;
    instance.get(
      fastifyPath(PET_ROUTES.openApiDocument),
      { schema: openApiDocumentSchema },
      async (_request, reply) => {
        served ??= JSON.stringify(instance.hasDecorator('swagger') ? instance.swagger() : committed);
        return reply.type('application/json; charset=utf-8').send(served);
      },
    );
  });
}

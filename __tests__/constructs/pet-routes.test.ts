import type { RouteOptions } from 'fastify';
import { buildApp } from '../../app/app';
import { PET_ROUTES, routeKey } from '../../app/contract';
import { productionOptions } from '../app/helpers';

/**
 * The routes the pet service declares under /petstore, as API Gateway route keys (`GET /petstore/pets/{petId}`),
 * read from the Fastify app production builds. Fastify's own HEAD twin of each GET (same handler, added
 * by `exposeHeadRoutes`) is left out: the gateway routes what the service declares.
 */
async function serviceRouteKeys(): Promise<string[]> {
  // No request is made: the endpoint is never called.
  const app = buildApp(productionOptions('http://127.0.0.1:9', 'pets'));
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  await app.ready();
  await app.close();
  const declared = routes.filter(
    (route) =>
      !(
        route.method === 'HEAD' &&
        routes.some((get) => get.method === 'GET' && get.url === route.url && get.handler === route.handler)
      ),
  );
  return declared
    .filter((route) => route.url.startsWith('/petstore'))
    .flatMap((route) =>
      [route.method].flat().map((method) => `${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`),
    )
    .sort();
}

describe('PET_ROUTES and the pet service', () => {
  test('the gateway routes exactly the routes the service declares under /petstore', async () => {
    expect(Object.values(PET_ROUTES).map(routeKey).sort()).toEqual(await serviceRouteKeys());
  });

  test('the comparison sees the service: it finds the pet routes and leaves /health to the container', async () => {
    const keys = await serviceRouteKeys();
    expect(keys).toContain('DELETE /petstore/pets/{petId}');
    expect(keys).toContain('HEAD /petstore/pets');
    expect(keys.some((key) => key.includes('/health'))).toBe(false);
  });
});

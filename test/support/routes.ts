import type Router from '@koa/router';

export interface RegisteredRoute {
  method: string;
  /** The template as registered, e.g. /v1/jobs/:id. */
  path: string;
}

/**
 * Every route the app serves, read from the routers mounted on it rather than listed by hand, so a test
 * that walks them all cannot silently miss one added later. HEAD is left out: it is GET without a body.
 */
export function registeredRoutes(app: { middleware: readonly unknown[] }): RegisteredRoute[] {
  const routes = new Map<string, RegisteredRoute>();
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        const path = String(layer.path).replace(/(.)\/$/, '$1');
        routes.set(`${method} ${path}`, { method, path });
      }
    }
  }
  return [...routes.values()];
}

/** The /v1 routes: everything a client's API key reaches. */
export function clientRoutes(app: { middleware: readonly unknown[] }): RegisteredRoute[] {
  return registeredRoutes(app).filter(({ path }) => path === '/v1' || path.startsWith('/v1/'));
}

import type { Middleware } from 'koa';

import { httpMetrics } from '../../lib/metrics.js';

/**
 * Times every request, labelled with the route template the router matched ("/v1/jobs/:id"), never the
 * raw path: ids in label values would make a new time series per resource.
 */
export function requestMetrics(): Middleware {
  return async (ctx, next) => {
    const end = httpMetrics.duration.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      end({
        method: ctx.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status: String(ctx.status),
      });
    }
  };
}

import Router from '@koa/router';

import type { ReadinessProbe } from '../../lib/health.js';
import { metricsRegistry } from '../../lib/metrics.js';
import { bearerAuth } from '../middleware/auth.js';

/**
 * Liveness (the process answers), readiness (its dependencies answer; 503 otherwise, so a load balancer
 * stops sending traffic) and Prometheus metrics.
 */
export function opsRoutes(probe: ReadinessProbe, metricsToken: string | undefined): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const readiness = await probe.check();
    ctx.status = readiness.status === 'ready' ? 200 : 503;
    ctx.body = readiness;
  });
  router.get('/metrics', bearerAuth(metricsToken, 'METRICS_TOKEN'), async (ctx) => {
    ctx.type = metricsRegistry.contentType;
    ctx.body = await metricsRegistry.metrics();
  });
  return router;
}

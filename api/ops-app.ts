import Koa from 'koa';

import type { Services } from '../lib/services.js';
import { requestMetrics } from './middleware/metrics.js';
import { problemDetails } from './middleware/problem.js';
import { opsRoutes } from './routes/ops.js';

/**
 * What a process without the API (worker, relay, ingest) serves on OPS_PORT: /healthz, /readyz and its
 * own /metrics, so orchestrators can probe it and Prometheus can scrape each replica.
 */
export function createOpsApp(services: Pick<Services, 'readiness' | 'config' | 'logger'>): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  const ops = opsRoutes(services.readiness, services.config.ops.metricsToken);
  app.use(requestMetrics());
  app.use(problemDetails(services.logger));
  app.use(ops.routes());
  app.use(ops.allowedMethods());
  return app;
}

import Router from '@koa/router';
import Koa from 'koa';

import { candidatePatch, candidateInput, jobInput, jobPatch } from '../lib/schemas.js';
import type { Services } from '../lib/services.js';
import { bullBoard } from './board.js';
import { clientAuth } from './middleware/auth.js';
import { jsonBody } from './middleware/body.js';
import { requestMetrics } from './middleware/metrics.js';
import { idempotency } from './middleware/idempotency.js';
import { rateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { crossOrigin, securityHeaders } from './middleware/security.js';
import { problemDetails } from './middleware/problem.js';
import { adminRoutes } from './routes/admin.js';
import { docsRoutes } from './routes/docs.js';
import { matchRequestRoutes } from './routes/match-requests.js';
import { matchRunRoutes } from './routes/match-runs.js';
import { opsRoutes } from './routes/ops.js';
import { profileRoutes } from './routes/profiles.js';
import { webhookRoutes } from './routes/webhooks.js';
import type { AppState } from './state.js';
import { candidateView, jobView } from './views.js';

/** Builds the Koa app without listening, so tests drive it on an ephemeral port. */
export function createApp(services: Services): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: false });
  app.silent = true;

  const ops = opsRoutes(services.readiness, services.config.ops.metricsToken);
  const docs = docsRoutes();

  const v1 = new Router<AppState>();
  v1.use(
    '/v1',
    clientAuth(services.db, services.apiKeyCache),
    rateLimit(services.redis, {
      ...services.config.http.rateLimit,
      keyPrefix: services.config.redis.queuePrefix,
    }),
    idempotency(services.db, {
      ttlHours: services.config.http.idempotencyTtlHours,
      requestTimeoutMs: services.config.http.requestTimeoutMs,
    }),
  );
  for (const router of [
    profileRoutes(services, {
      kind: 'job',
      path: '/v1/jobs',
      input: jobInput,
      patch: jobPatch,
      view: jobView,
    }),
    profileRoutes(services, {
      kind: 'candidate',
      path: '/v1/candidates',
      input: candidateInput,
      patch: candidatePatch,
      view: candidateView,
    }),
    matchRequestRoutes(services),
    matchRunRoutes(services),
    webhookRoutes(services),
  ]) {
    v1.use(router.routes(), router.allowedMethods());
  }
  const admin = adminRoutes(services);

  app.use(requestId());
  app.use(requestMetrics());
  app.use(securityHeaders());
  const cors = crossOrigin(services.config.http.corsOrigins);
  if (cors) app.use(cors);
  app.use(problemDetails(services.logger));
  app.use(bullBoard(services));
  app.use(jsonBody({ bytes: services.config.http.bodyLimitBytes, depth: services.config.http.jsonMaxDepth }));
  app.use(ops.routes());
  app.use(docs.routes());
  app.use(admin.routes());
  app.use(v1.routes());
  app.use(v1.allowedMethods());
  return app;
}

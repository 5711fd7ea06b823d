import Router from '@koa/router';

import { createClient } from '../../lib/clients.js';
import { outboxStatus } from '../../lib/db/outbox.js';
import { clientInput, parse } from '../../lib/schemas.js';
import type { Services } from '../../lib/services.js';
import { adminAuth } from '../middleware/auth.js';

export function adminRoutes(services: Pick<Services, 'db' | 'config'>): Router {
  const router = new Router({ prefix: '/admin' });
  router.use(adminAuth(services.config.adminToken));

  router.post('/clients', async (ctx) => {
    const { name } = parse(clientInput, ctx.request.body);
    const { client, apiKey } = await createClient(services.db, name);
    ctx.status = 201;
    ctx.body = {
      id: client.id,
      name: client.name,
      apiKeyPrefix: client.apiKeyPrefix,
      apiKey,
      createdAt: client.createdAt,
    };
  });

  router.get('/outbox', async (ctx) => {
    const status = await outboxStatus(services.db);
    ctx.body = { ...status, lastPublishedAt: status.lastPublishedAt?.toISOString() ?? null };
  });

  return router;
}

import Router from '@koa/router';
import { z } from 'zod';

import { NotFoundError } from '../../lib/errors.js';
import {
  getNotification,
  getWebhook,
  listNotifications,
  registerWebhook,
  removeWebhook,
  sendTestNotification,
} from '../../lib/notifications/webhooks.js';
import { decodeCursor, encodeCursor } from '../../lib/profiles.js';
import { listQuery, parse, webhookInput } from '../../lib/schemas.js';
import type { Services } from '../../lib/services.js';
import type { AppState } from '../state.js';
import { notificationView, webhookView } from '../views.js';

const NOTIFICATIONS = '/v1/notifications';

/** The client's webhook (one per client) and the notifications sent to it. */
export function webhookRoutes(services: Pick<Services, 'db' | 'queues' | 'config'>): Router<AppState> {
  const router = new Router<AppState>();

  router.put('/v1/webhook', async (ctx) => {
    const input = parse(webhookInput, ctx.request.body);
    const { webhook, created, generatedSecret } = await registerWebhook(services, ctx.state.client.id, input);
    ctx.status = created ? 201 : 200;
    ctx.body = {
      ...webhookView(webhook),
      ...(generatedSecret === undefined ? {} : { secret: generatedSecret }),
    };
  });

  router.get('/v1/webhook', async (ctx) => {
    ctx.body = webhookView(await getWebhook(services.db, ctx.state.client.id));
  });

  router.delete('/v1/webhook', async (ctx) => {
    await removeWebhook(services.db, ctx.state.client.id);
    ctx.status = 204;
  });

  router.post('/v1/webhook/test', async (ctx) => {
    const notification = await sendTestNotification(services, ctx.state.client.id);
    ctx.status = 202;
    ctx.set('Location', `${NOTIFICATIONS}/${notification.id}`);
    ctx.body = notificationView(notification);
  });

  router.get(NOTIFICATIONS, async (ctx) => {
    const query = parse(listQuery, ctx.query, 'query string');
    const page = await listNotifications(
      services.db,
      ctx.state.client.id,
      query.limit,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    );
    ctx.body = {
      items: page.items.map(notificationView),
      nextCursor: page.nextPosition ? encodeCursor(page.nextPosition) : null,
    };
  });

  router.get(`${NOTIFICATIONS}/:id`, async (ctx) => {
    const id = ctx.params.id;
    if (id === undefined || !z.uuid().safeParse(id).success)
      throw new NotFoundError(`No notification with id ${String(id)}.`);
    ctx.body = notificationView(await getNotification(services.db, ctx.state.client.id, id));
  });

  return router;
}

import Router from '@koa/router';

import { announceKeyChange } from '../../lib/api-key-cache.js';
import { createClient, issueKey, listKeys, revokeKey } from '../../lib/clients.js';
import { listClients, type ClientWithKeyCount } from '../../lib/db/clients.js';
import type { ApiKeyModel } from '../../lib/db/models.js';
import { listParked, outboxStatus, retryParked, type ParkedEvent } from '../../lib/db/outbox.js';
import { NotFoundError } from '../../lib/errors.js';
import { decodeCursor, encodeCursor } from '../../lib/profiles.js';
import type { ApiKeyResponse, ClientResponse, ParkedEventResponse } from '../../lib/responses.js';
import {
  apiKeyInput,
  clientInput,
  listQuery,
  outboxRowId,
  parkedListQuery,
  parse,
} from '../../lib/schemas.js';
import type { Services } from '../../lib/services.js';
import { adminAuth } from '../middleware/auth.js';

/** A key as lists show it: the public prefix, never the key or its hash. */
function keyView(key: ApiKeyModel): ApiKeyResponse {
  return {
    id: key.id,
    clientId: key.clientId,
    prefix: key.prefix,
    name: key.name,
    scope: key.scope,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

function clientView(client: ClientWithKeyCount): ClientResponse {
  return { id: client.id, name: client.name, activeKeys: client.activeKeys, createdAt: client.createdAt };
}

function parkedView(event: ParkedEvent): ParkedEventResponse {
  const { parkReason, ...rest } = event;
  return { ...rest, reason: parkReason };
}

export function adminRoutes(services: Pick<Services, 'db' | 'config' | 'redis'>): Router {
  const router = new Router({ prefix: '/admin' });
  router.use(adminAuth(services.config.adminToken));

  router.post('/clients', async (ctx) => {
    const { name } = parse(clientInput, ctx.request.body);
    const { client, key, apiKey } = await createClient(services.db, name);
    ctx.status = 201;
    ctx.body = {
      id: client.id,
      name: client.name,
      apiKeyPrefix: key.prefix,
      apiKey,
      keyId: key.id,
      scope: key.scope,
      createdAt: client.createdAt,
    };
  });

  router.get('/clients', async (ctx) => {
    const query = parse(listQuery, ctx.query, 'query string');
    const page = await listClients(
      services.db,
      query.limit,
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    );
    ctx.body = {
      items: page.items.map(clientView),
      nextCursor: page.nextPosition ? encodeCursor(page.nextPosition) : null,
    };
  });

  router.post('/clients/:clientId/keys', async (ctx) => {
    const input = parse(apiKeyInput, ctx.request.body);
    const { key, apiKey } = await issueKey(services.db, ctx.params.clientId ?? '', input);
    ctx.status = 201;
    ctx.body = { ...keyView(key), apiKey };
  });

  router.get('/clients/:clientId/keys', async (ctx) => {
    ctx.body = { items: (await listKeys(services.db, ctx.params.clientId ?? '')).map(keyView) };
  });

  router.delete('/clients/:clientId/keys/:keyId', async (ctx) => {
    await revokeKey(services.db, ctx.params.clientId ?? '', ctx.params.keyId ?? '', (clientId) =>
      announceKeyChange(services.redis, services.config.redis.queuePrefix, clientId),
    );
    ctx.status = 204;
  });

  router.get('/outbox', async (ctx) => {
    const status = await outboxStatus(services.db);
    ctx.body = { ...status, lastPublishedAt: status.lastPublishedAt?.toISOString() ?? null };
  });

  router.get('/outbox/parked', async (ctx) => {
    const query = parse(parkedListQuery, ctx.query, 'query string');
    const page = await listParked(services.db, query.limit, query.cursor);
    ctx.body = { items: page.items.map(parkedView), nextCursor: page.nextAfter };
  });

  router.post('/outbox/parked/retry', async (ctx) => {
    ctx.status = 202;
    ctx.body = { retried: await retryParked(services.db) };
  });

  router.post('/outbox/parked/:id/retry', async (ctx) => {
    const id = parse(outboxRowId, ctx.params.id, 'path');
    const retried = await retryParked(services.db, id);
    if (retried === 0) throw new NotFoundError(`No parked outbox event ${id}.`);
    ctx.status = 202;
    ctx.body = { retried };
  });

  return router;
}

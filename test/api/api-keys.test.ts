import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import Router from '@koa/router';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';

import { createApp } from '../../api/app.js';
import { clientAuth } from '../../api/middleware/auth.js';
import { requestId } from '../../api/middleware/request-id.js';
import type { AppState } from '../../api/state.js';
import { announceKeyChange } from '../../lib/api-key-cache.js';
import { createLogger } from '../../lib/logger.js';
import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { ADMIN_TOKEN, useTestContext } from '../support/context.js';
import { clientRoutes } from '../support/routes.js';
import { until } from '../support/until.js';

const stack = useTestContext();

interface CreatedClient {
  id: string;
  name: string;
  apiKeyPrefix: string;
  apiKey: string;
  keyId: string;
  scope: string;
}

interface KeyBody {
  id: string;
  clientId: string;
  prefix: string;
  name: string | null;
  scope: 'read-write' | 'read-only';
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  apiKey?: string;
}

interface Problem {
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

const admin = { key: ADMIN_TOKEN };

async function createClient(name = 'acme'): Promise<CreatedClient> {
  const response = await stack.request<CreatedClient>('POST', '/admin/clients', { ...admin, body: { name } });
  expect(response.status).toBe(201);
  return response.body;
}

async function issueKey(clientId: string, body: object = {}): Promise<Required<KeyBody>> {
  const response = await stack.request<Required<KeyBody>>('POST', `/admin/clients/${clientId}/keys`, {
    ...admin,
    body,
  });
  expect(response.status).toBe(201);
  return response.body;
}

async function listKeys(clientId: string): Promise<KeyBody[]> {
  const response = await stack.request<{ items: KeyBody[] }>('GET', `/admin/clients/${clientId}/keys`, admin);
  expect(response.status).toBe(200);
  return response.body.items;
}

async function keyOf(clientId: string, keyId: string): Promise<KeyBody> {
  const key = (await listKeys(clientId)).find(({ id }) => id === keyId);
  if (!key) throw new Error(`key ${keyId} is not listed`);
  return key;
}

describe('POST /admin/clients', () => {
  it('creates the client with a first, read-write key, named by id and prefix', async () => {
    const client = await createClient();
    expect(client.scope).toBe('read-write');
    expect(client.apiKey.startsWith(`${client.apiKeyPrefix}_`)).toBe(true);
    expect(await listKeys(client.id)).toEqual([
      expect.objectContaining({ id: client.keyId, prefix: client.apiKeyPrefix, scope: 'read-write' }),
    ]);
  });
});

describe('POST /admin/clients/:clientId/keys', () => {
  it('issues another key, shown once, that works next to the first one', async () => {
    const client = await createClient();
    const second = await issueKey(client.id, { name: 'ci deploys' });
    expect(second).toMatchObject({
      clientId: client.id,
      name: 'ci deploys',
      scope: 'read-write',
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(second.apiKey).toMatch(/^lk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(second.apiKey.startsWith(`${second.prefix}_`)).toBe(true);
    for (const key of [client.apiKey, second.apiKey]) {
      expect((await stack.request('GET', '/v1/jobs', { key })).status).toBe(200);
    }

    const listing = await stack.request('GET', `/admin/clients/${client.id}/keys`, admin);
    const stored = await stack.services.db('apiKeys').where({ clientId: client.id });
    for (const secret of [client.apiKey, second.apiKey]) {
      expect(JSON.stringify(listing.body)).not.toContain(secret);
      expect(JSON.stringify(stored)).not.toContain(secret);
    }
    expect(JSON.stringify(listing.body)).not.toMatch(/secretHash|[0-9a-f]{64}/);
  });

  it('takes no body at all: an unnamed read-write key', async () => {
    const client = await createClient();
    const response = await stack.request<KeyBody>('POST', `/admin/clients/${client.id}/keys`, admin);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: null, scope: 'read-write' });
  });

  it('points at each invalid field', async () => {
    const client = await createClient();
    for (const [body, pointer] of [
      [{ scope: 'admin' }, '/scope'],
      [{ name: '' }, '/name'],
      [{ name: 'x'.repeat(201) }, '/name'],
    ] as const) {
      const response = await stack.request<Problem>('POST', `/admin/clients/${client.id}/keys`, {
        ...admin,
        body,
      });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors).toContainEqual(expect.objectContaining({ pointer }));
    }
    const unknownField = await stack.request('POST', `/admin/clients/${client.id}/keys`, {
      ...admin,
      body: { label: 'typo' },
    });
    expect(unknownField.status).toBe(422);
  });
});

describe('unknown clients and keys', () => {
  it('answers 404 problem+json for a client that does not exist, by any id', async () => {
    for (const clientId of [randomUUID(), 'not-a-uuid']) {
      for (const [method, path] of [
        ['POST', `/admin/clients/${clientId}/keys`],
        ['GET', `/admin/clients/${clientId}/keys`],
        ['DELETE', `/admin/clients/${clientId}/keys/${randomUUID()}`],
      ] as const) {
        const response = await stack.request<Problem>(method, path, {
          ...admin,
          body: method === 'POST' ? {} : undefined,
        });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.detail).toContain(clientId);
      }
    }
  });

  it('answers 404 for a key that is unknown or belongs to another client, and revokes nothing', async () => {
    const owner = await createClient('owner');
    const other = await createClient('other');
    for (const keyId of [randomUUID(), 'not-a-uuid', owner.keyId]) {
      const response = await stack.request('DELETE', `/admin/clients/${other.id}/keys/${keyId}`, admin);
      expect(response.status, keyId).toBe(404);
    }
    expect((await stack.request('GET', '/v1/jobs', { key: owner.apiKey })).status).toBe(200);
  });

  it('is the admin API: a client key is refused', async () => {
    const client = await createClient();
    for (const [method, path] of [
      ['GET', '/admin/clients'],
      ['GET', `/admin/clients/${client.id}/keys`],
      ['POST', `/admin/clients/${client.id}/keys`],
      ['DELETE', `/admin/clients/${client.id}/keys/${client.keyId}`],
    ] as const) {
      const response = await stack.request(method, path, { key: client.apiKey });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('DELETE /admin/clients/:clientId/keys/:keyId', () => {
  it('refuses the key from the next request on, leaves the client’s other keys working, and is idempotent', async () => {
    const client = await createClient();
    const spare = await issueKey(client.id, { name: 'spare' });

    const revoked = await stack.request('DELETE', `/admin/clients/${client.id}/keys/${client.keyId}`, admin);
    expect(revoked.status).toBe(204);
    const refused = await stack.request<Problem>('GET', '/v1/jobs', { key: client.apiKey });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await stack.request('GET', '/v1/jobs', { key: spare.apiKey })).status).toBe(200);

    const { revokedAt } = await keyOf(client.id, client.keyId);
    expect(revokedAt).not.toBeNull();
    const again = await stack.request('DELETE', `/admin/clients/${client.id}/keys/${client.keyId}`, admin);
    expect(again.status).toBe(204);
    expect((await keyOf(client.id, client.keyId)).revokedAt).toBe(revokedAt);
    expect((await stack.request('GET', '/v1/jobs', { key: client.apiKey })).status).toBe(401);
  });
});

describe('read-only keys', () => {
  it('may call every GET route but no write route, which answers 403 and changes nothing', async () => {
    const client = await createClient();
    const readOnly = await issueKey(client.id, { scope: 'read-only', name: 'dashboard' });
    const job = await stack.request<{ id: string; revision: number }>('POST', '/v1/jobs', {
      key: client.apiKey,
      body: { externalId: 'ro-1', title: 'Go engineer', description: 'Go and Kubernetes.' },
    });
    const candidate = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key: client.apiKey,
      body: kubernetesGoCandidate,
    });
    const idFor = (path: string): string =>
      path.startsWith('/v1/jobs/')
        ? job.body.id
        : path.startsWith('/v1/candidates/')
          ? candidate.body.id
          : randomUUID();
    const tables = ['jobs', 'candidates', 'matchRequests', 'matchFeedback', 'webhooks', 'notifications'];
    const counts = async () => Promise.all(tables.map((table) => stack.countRows(table)));
    const before = await counts();

    const routes = clientRoutes(createApp(stack.services));
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, path } of routes) {
      const url = path.replace(':id', idFor(path));
      const response = await stack.request<Problem>(method, url, {
        key: readOnly.apiKey,
        body: method === 'GET' ? undefined : {},
      });
      if (method === 'GET') {
        expect(response.status, `${method} ${path}`).not.toBe(403);
        expect(response.status, `${method} ${path}`).toBeLessThan(500);
      } else {
        expect(response.status, `${method} ${path}`).toBe(403);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.detail).toContain(`${readOnly.prefix} is read-only`);
      }
    }

    expect(await counts()).toEqual(before);
    const unchanged = await stack.request<{ revision: number }>('GET', `/v1/jobs/${job.body.id}`, {
      key: readOnly.apiKey,
    });
    expect(unchanged.body.revision).toBe(job.body.revision);
  });
});

describe('last use', () => {
  it('is recorded on first use and then at most once a minute, not on every request', async () => {
    const client = await createClient();
    expect((await keyOf(client.id, client.keyId)).lastUsedAt).toBeNull();

    await stack.request('GET', '/v1/jobs', { key: client.apiKey });
    const first = (await keyOf(client.id, client.keyId)).lastUsedAt;
    expect(first).not.toBeNull();
    await stack.request('GET', '/v1/jobs', { key: client.apiKey });
    expect((await keyOf(client.id, client.keyId)).lastUsedAt).toBe(first);

    // As if that use were two minutes old, by when the key's cache entry (API_KEY_CACHE_TTL_MS at most)
    // is gone too: the next request looks the key up and records a new use.
    await stack.services
      .db('apiKeys')
      .where({ id: client.keyId })
      .update({ lastUsedAt: stack.services.db.raw("last_used_at - interval '2 minutes'") });
    const aged = (await keyOf(client.id, client.keyId)).lastUsedAt;
    await announceKeyChange(stack.services.redis, stack.config.redis.queuePrefix, client.id);
    const keyHash = createHash('sha256').update(client.apiKey).digest('hex');
    await until('the cache drops the key', () => stack.services.apiKeyCache.get(keyHash) === undefined);
    await stack.request('GET', '/v1/jobs', { key: client.apiKey });
    const renewed = (await keyOf(client.id, client.keyId)).lastUsedAt;
    expect(renewed).not.toBe(aged);
    expect(Date.parse(renewed ?? '')).toBeGreaterThan(Date.parse(aged ?? ''));
  });
});

describe('GET /admin/clients', () => {
  it('lists every client with its number of active keys, page by page', async () => {
    const first = await createClient('listed-1');
    const second = await createClient('listed-2');
    await issueKey(second.id);
    await stack.request('DELETE', `/admin/clients/${first.id}/keys/${first.keyId}`, admin);

    const seen: { id: string; name: string; activeKeys: number }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = await stack.request<{
        items: { id: string; name: string; activeKeys: number }[];
        nextCursor: string | null;
      }>('GET', `/admin/clients?limit=2${query}`, admin);
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== null);

    expect(new Set(seen.map(({ id }) => id)).size).toBe(seen.length);
    expect(seen).toContainEqual(expect.objectContaining({ id: first.id, name: 'listed-1', activeKeys: 0 }));
    expect(seen).toContainEqual(expect.objectContaining({ id: second.id, name: 'listed-2', activeKeys: 2 }));
    expect(await stack.countRows('clients')).toBe(seen.length);
  });
});

describe('logs', () => {
  it('name the client and the key prefix of the request, never the key', async () => {
    const client = await createClient();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ logLevel: 'info' }, 'test', {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const app = new Koa<AppState>();
    const router = new Router<AppState>();
    router.use(clientAuth(stack.services.db, stack.services.apiKeyCache));
    router.get('/v1/probe', (ctx) => {
      logger.info('handled');
      ctx.body = {};
    });
    app.use(requestId());
    app.use(router.routes());
    const server = app.listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/v1/probe`, {
        headers: { authorization: `Bearer ${client.apiKey}`, 'x-request-id': 'keyed-request' },
      });
      expect(response.status).toBe(200);
    } finally {
      server.close();
    }
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'handled',
        requestId: 'keyed-request',
        clientId: client.id,
        apiKeyPrefix: client.apiKeyPrefix,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(client.apiKey);
  });
});

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, describe, expect, it } from 'vitest';

import { createApp } from '../../api/app.js';
import type { Config } from '../../lib/config.js';
import { waitForRedis } from '../../lib/queues/connection.js';
import { createServices, type Services } from '../../lib/services.js';
import { ADMIN_TOKEN, useTestContext } from '../support/context.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';

/** Replica A: the test context's app, which also serves the admin API that revokes. */
const stack = useTestContext();

interface Replica {
  services: Services;
  get(key: string): Promise<number>;
}

const replicas: { services: Services; server: Server }[] = [];
afterAll(async () => {
  for (const { services, server } of replicas) {
    server.closeAllConnections();
    server.close();
    await services.close();
  }
});

/** Another API process on the same Postgres schema and Redis prefix, with `change` applied to its settings. */
async function startReplica(
  name: string,
  change: (config: Config) => Config = (config) => config,
): Promise<Replica> {
  const services = createServices(change(stack.config), name);
  const server = createApp(services).listen(0, '127.0.0.1');
  replicas.push({ services, server });
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    services,
    get: async (key) =>
      (await fetch(`${base}/v1/jobs`, { headers: { authorization: `Bearer ${key}` } })).status,
  };
}

const contextReplica: Replica = {
  get services(): Services {
    return stack.services;
  },
  get: async (key) => (await stack.request('GET', '/v1/jobs', { key })).status,
};

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

async function newClient(): Promise<{ id: string; apiKey: string; keyId: string }> {
  const response = await stack.request<{ id: string; apiKey: string; keyId: string }>(
    'POST',
    '/admin/clients',
    {
      key: ADMIN_TOKEN,
      body: { name: 'cached' },
    },
  );
  expect(response.status).toBe(201);
  return response.body;
}

/** Until the replica answers the key from its cache (its subscription is up and it has seen the key). */
async function cached(replica: Replica, key: string): Promise<void> {
  await until('the replica caches the key', async () => {
    expect(await replica.get(key)).toBe(200);
    return replica.services.apiKeyCache.get(hashOf(key)) !== undefined;
  });
}

/**
 * Changes the stored hash behind the caches' backs (no announcement), so only a cached key still works:
 * what a replica answers then says whether it asked Postgres.
 */
async function unstoreHash(keyId: string): Promise<() => Promise<void>> {
  const [row] = await stack.services
    .db('apiKeys')
    .where({ id: keyId })
    .select<{ secretHash: string }[]>('secretHash');
  await stack.services
    .db('apiKeys')
    .where({ id: keyId })
    .update({ secretHash: '0'.repeat(64) });
  return async () => {
    await stack.services.db('apiKeys').where({ id: keyId }).update({ secretHash: row?.secretHash });
  };
}

async function revoke(client: { id: string; keyId: string }): Promise<void> {
  const response = await stack.request('DELETE', `/admin/clients/${client.id}/keys/${client.keyId}`, {
    key: ADMIN_TOKEN,
  });
  expect(response.status).toBe(204);
}

describe('the API key cache', () => {
  it('serves verified keys without Postgres, and every replica refuses a revoked key on the very next request', async () => {
    const replicaB = await startReplica('replica-b');
    const client = await newClient();
    for (const replica of [contextReplica, replicaB]) await cached(replica, client.apiKey);

    const restore = await unstoreHash(client.keyId);
    for (const replica of [contextReplica, replicaB]) expect(await replica.get(client.apiKey)).toBe(200);
    await restore();

    await revoke(client);
    expect(await replicaB.get(client.apiKey)).toBe(401);
    expect(await contextReplica.get(client.apiKey)).toBe(401);
  });

  it('keeps a key no longer than API_KEY_CACHE_TTL_MS', async () => {
    const replica = await startReplica('short-ttl', (config) => ({
      ...config,
      http: { ...config.http, apiKeyCache: { ...config.http.apiKeyCache, ttlMs: 300 } },
    }));
    const client = await newClient();
    await cached(replica, client.apiKey);
    await unstoreHash(client.keyId);
    expect(await until('the kept key expires', async () => (await replica.get(client.apiKey)) === 401)).toBe(
      true,
    );
  });

  it('caches nothing while its Redis subscription is down, so a revocation it cannot hear still counts at once', async () => {
    const redisProxy = new TcpProxy('127.0.0.1', 6379);
    await redisProxy.start();
    const cut = await startReplica('cut-off', (config) => ({
      ...config,
      redis: { ...config.redis, url: `redis://127.0.0.1:${redisProxy.port}` },
    }));
    await waitForRedis(cut.services.redis, 10_000);
    const client = await newClient();
    await cached(cut, client.apiKey);

    await redisProxy.stop();
    await until(
      'the replica notices',
      () => cut.services.apiKeyCache.get(hashOf(client.apiKey)) === undefined,
    );
    expect(await cut.get(client.apiKey)).toBe(200);
    await revoke(client);
    expect(await cut.get(client.apiKey)).toBe(401);
  });
});

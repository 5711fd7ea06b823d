import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const redisProxy = new TcpProxy('127.0.0.1', 6379);
await redisProxy.start();
afterAll(() => redisProxy.stop());

const stack = useTestContext({ env: { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` } });

const postgresProxy = new TcpProxy('127.0.0.1', 5432);
await postgresProxy.start();
afterAll(() => postgresProxy.stop());
const pgStack = useTestContext({
  env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${postgresProxy.port}/test`, DATABASE_POOL_MAX: '2' },
});

async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of ['jobs', 'candidates', 'matchRequests', 'outbox']) {
    result[table] = await stack.countRows(table);
  }
  return result;
}

async function waitUntilRedisAnswers(): Promise<void> {
  for (let attempt = 0; attempt < 200 && stack.services.redis.status !== 'ready'; attempt += 1)
    await sleep(50);
}

describe('when Redis (the queue transport) is down', () => {
  it('still serves reads, counting the rate limit in memory meanwhile', async () => {
    const key = await stack.newClient();
    await redisProxy.stop();
    try {
      const read = await stack.request('GET', '/v1/jobs', { key });
      expect(read.status).toBe(200);
      expect(read.headers.get('ratelimit')).not.toBeNull();
    } finally {
      await redisProxy.start();
      await waitUntilRedisAnswers();
    }
  });

  it('answers writes with 503 and Retry-After, writes nothing, and recovers when Redis returns', async () => {
    const key = await stack.newClient();
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const before = await counts();

    await redisProxy.stop();
    const idempotent = { 'idempotency-key': 'match-during-outage' };
    const attempts = [
      await stack.request('POST', '/v1/match-requests', {
        key,
        body: { candidateId: candidate.id },
        headers: idempotent,
      }),
      await stack.request('POST', '/v1/jobs', {
        key,
        body: { externalId: 'j', title: 'Go developer', description: 'Go and k8s.' },
      }),
      await stack.request('PATCH', `/v1/candidates/${candidate.id}`, { key, body: { headline: 'Changed' } }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).not.toBeNull();
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await counts()).toEqual(before);
    const unchanged = await stack.request<{ headline: string }>('GET', `/v1/candidates/${candidate.id}`, {
      key,
    });
    expect(unchanged.body.headline).toBe(kubernetesGoCandidate.headline);

    await redisProxy.start();
    await waitUntilRedisAnswers();
    // The 503 was not kept for the key: the retry with it does the work now.
    const retried = await stack.request('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.id },
      headers: idempotent,
    });
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('when Postgres is down', () => {
  it('answers 503 with Retry-After (an outage to retry, not a bug), and recovers when Postgres returns', async () => {
    const key = await pgStack.newClient();
    await postgresProxy.stop();
    try {
      for (const response of [
        await pgStack.request('GET', '/v1/jobs', { key }),
        await pgStack.request('POST', '/v1/jobs', {
          key,
          body: { externalId: 'j', title: 'Go developer', description: 'Go.' },
        }),
      ]) {
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
    } finally {
      await postgresProxy.start();
    }
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt += 1) {
      status = (await pgStack.request('GET', '/v1/jobs', { key })).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });
});

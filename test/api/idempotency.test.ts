import { describe, expect, it } from 'vitest';

import { useTestContext } from '../support/context.js';

const stack = useTestContext({ env: { REQUEST_TIMEOUT_MS: '2000' } });

const job = (externalId: string, title = 'Go engineer') => ({
  externalId,
  title,
  description: 'Go services.',
});

async function jobsOf(key: string): Promise<number> {
  return (await stack.request<{ items: unknown[] }>('GET', '/v1/jobs?limit=100', { key })).body.items.length;
}

async function rows(): Promise<{ jobs: number; outbox: number }> {
  return { jobs: await stack.countRows('jobs'), outbox: await stack.countRows('outbox') };
}

describe('Idempotency-Key on every POST', () => {
  it('answers a retry with the first answer, marked as a replay, without doing the work twice', async () => {
    const key = await stack.newClient();
    const headers = { 'idempotency-key': 'create-job-1' };
    const first = await stack.request<{ id: string }>('POST', '/v1/jobs', { key, body: job('a'), headers });
    expect(first.status).toBe(201);
    const before = await rows();
    const retry = await stack.request<{ id: string }>('POST', '/v1/jobs', { key, body: job('a'), headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.body).toEqual(first.body);
    expect(await rows()).toEqual(before);
  });

  it('refuses the same key with another body or another route (422) and changes nothing', async () => {
    const key = await stack.newClient();
    const headers = { 'idempotency-key': 'reused' };
    await stack.request('POST', '/v1/jobs', { key, body: job('b'), headers });
    const before = await rows();
    const otherBody = await stack.request<{ type: string; detail: string }>('POST', '/v1/jobs', {
      key,
      body: job('b', 'Rust engineer'),
      headers,
    });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.type).toMatch(/idempotency-key-reused$/);
    const otherRoute = await stack.request('POST', '/v1/candidates', {
      key,
      body: { externalId: 'c', resumeText: 'Go' },
      headers,
    });
    expect(otherRoute.status).toBe(422);
    expect(await rows()).toEqual(before);
    const job1 = await stack.request<{ items: { title: string }[] }>('GET', '/v1/jobs', { key });
    expect(job1.body.items.map((item) => item.title)).toEqual(['Go engineer']);
  });

  it('keeps keys per client: another client may use the same key for its own request', async () => {
    const [alice, bob] = [await stack.newClient(), await stack.newClient()];
    const headers = { 'idempotency-key': 'shared-name' };
    expect((await stack.request('POST', '/v1/jobs', { key: alice, body: job('x'), headers })).status).toBe(
      201,
    );
    const bobs = await stack.request('POST', '/v1/jobs', { key: bob, body: job('y', 'Nurse'), headers });
    expect(bobs.status).toBe(201);
    expect(bobs.headers.get('idempotent-replayed')).toBeNull();
  });

  it('runs one of two concurrent requests with the same key; the other waits its turn or gets the answer', async () => {
    const key = await stack.newClient();
    const headers = { 'idempotency-key': 'concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => stack.request('POST', '/v1/jobs', { key, body: job('race'), headers })),
    );
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
    expect(
      answers.filter((answer) => answer.status === 201 && !answer.headers.get('idempotent-replayed')),
    ).toHaveLength(1);
    expect(await jobsOf(key)).toBe(1);
  });

  it('forgets a key once it expires', async () => {
    const key = await stack.newClient();
    const headers = { 'idempotency-key': 'short-lived' };
    await stack.request('POST', '/v1/jobs', { key, body: job('old'), headers });
    await stack.services.db('idempotencyKeys').update({ expiresAt: new Date(Date.now() - 1000) });
    const reused = await stack.request<{ externalId: string }>('POST', '/v1/jobs', {
      key,
      body: job('new'),
      headers,
    });
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(reused.body.externalId).toBe('new');
  });

  it('takes over a claim whose request never finished once the request timeout has passed, not before', async () => {
    const key = await stack.newClient();
    const row: unknown = await stack.services
      .db('apiKeys')
      .where({ prefix: key.split('_').slice(0, 2).join('_') })
      .first('clientId');
    const { clientId } = row as { clientId: string };
    // What a request leaves when Postgres goes away before it can give its claim back.
    const stuck = (idempotencyKey: string, ageMs: number) =>
      stack.services.db('idempotencyKeys').insert({
        clientId,
        key: idempotencyKey,
        requestHash: 'of-the-lost-request',
        createdAt: new Date(Date.now() - ageMs),
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    await stuck('fresh-claim', 0);
    await stuck('old-claim', 10_000);
    const body = job('after-outage');
    const fresh = await stack.request('POST', '/v1/jobs', {
      key,
      body,
      headers: { 'idempotency-key': 'fresh-claim' },
    });
    expect(fresh.status).toBe(422);
    const old = await stack.request('POST', '/v1/jobs', {
      key,
      body,
      headers: { 'idempotency-key': 'old-claim' },
    });
    expect(old.status).toBe(201);
  });

  it('refuses a key that is not printable ASCII', async () => {
    const key = await stack.newClient();
    const response = await stack.request('POST', '/v1/jobs', {
      key,
      body: job('z'),
      headers: { 'idempotency-key': 'x'.repeat(256) },
    });
    expect(response.status).toBe(422);
    expect(await jobsOf(key)).toBe(0);
  });
});

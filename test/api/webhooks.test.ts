import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

import { useTestContext } from '../support/context.js';
import type { NotificationBody } from '../support/webhooks.js';

// No allow-list: only public addresses may be registered. No workers: nothing is delivered here.
const stack = useTestContext({ env: { WEBHOOK_ALLOWED_NETWORKS: '' } });

interface WebhookBody {
  url: string;
  secretHint: string;
  secret?: string;
  createdAt: string;
  updatedAt: string;
}

interface Problem {
  status: number;
  type: string;
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

const PUBLIC_URL = 'https://93.184.215.14/hooks/lookiy';
const OWN_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('PUT /v1/webhook', () => {
  it('registers a URL and returns a generated Standard Webhooks secret once', async () => {
    const key = await stack.newClient();
    const created = await stack.request<WebhookBody>('PUT', '/v1/webhook', {
      key,
      body: { url: PUBLIC_URL },
    });

    expect(created.status).toBe(201);
    expect(created.body.url).toBe(PUBLIC_URL);
    const secret = created.body.secret ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The secret signs and verifies with the reference library.
    const signer = new Webhook(secret);
    const now = new Date();
    const signature = signer.sign('msg_1', now, '{}');
    expect(() =>
      signer.verify('{}', {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      }),
    ).not.toThrow();

    const shown = await stack.request<WebhookBody>('GET', '/v1/webhook', { key });
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      url: PUBLIC_URL,
      secretHint: `${secret.slice(0, 10)}…`,
      createdAt: created.body.createdAt,
      updatedAt: created.body.updatedAt,
    });
    expect(JSON.stringify(shown.body)).not.toContain(secret.slice(6));
  });

  it('changes the URL and keeps the secret unless a new one is given', async () => {
    const key = await stack.newClient();
    const created = await stack.request<WebhookBody>('PUT', '/v1/webhook', {
      key,
      body: { url: PUBLIC_URL },
    });
    const moved = await stack.request<WebhookBody>('PUT', '/v1/webhook', {
      key,
      body: { url: 'https://1.1.1.1/other' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.secret).toBeUndefined();
    expect(moved.body.secretHint).toBe(created.body.secretHint);
    expect(moved.body.url).toBe('https://1.1.1.1/other');

    const rotated = await stack.request<WebhookBody>('PUT', '/v1/webhook', {
      key,
      body: { url: PUBLIC_URL, secret: OWN_SECRET },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toBeUndefined();
    expect(rotated.body.secretHint).toBe(`${OWN_SECRET.slice(0, 10)}…`);
    expect(await stack.countRows('webhooks')).toBeGreaterThan(0);
  });

  it('takes the client’s own secret and does not echo it', async () => {
    const key = await stack.newClient();
    const created = await stack.request<WebhookBody>('PUT', '/v1/webhook', {
      key,
      body: { url: PUBLIC_URL, secret: OWN_SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://localhost:8080/hook', 'loopback'],
    ['http://[::1]/hook', 'loopback'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://2130706433/hook', 'loopback'],
    ['http://10.0.0.5/hook', 'private'],
    ['http://192.168.0.10/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['http://[fe80::1]/hook', 'linkLocal'],
    ['http://[fd00::1]/hook', 'uniqueLocal'],
    ['http://100.64.1.1/hook', 'carrierGradeNat'],
    ['http://224.0.0.1/hook', 'multicast'],
    ['http://0.0.0.0/hook', 'unspecified'],
    ['http://[::]/hook', 'unspecified'],
  ])('refuses %s (%s) with a 422 and stores nothing', async (url, range) => {
    const key = await stack.newClient();
    const before = await stack.countRows('webhooks');
    const response = await stack.request<Problem>('PUT', '/v1/webhook', { key, body: { url } });

    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.type).toBe('https://lookiy.dev/problems/webhook-url-refused');
    expect(response.body.detail).toContain(`a ${range} address`);
    expect(response.body.detail).toContain('webhooks may only call public addresses');
    expect(response.body.errors?.[0]?.pointer).toBe('/url');
    expect(await stack.countRows('webhooks')).toBe(before);
    expect((await stack.request('GET', '/v1/webhook', { key })).status).toBe(404);
  });

  it('refuses a host that does not resolve', async () => {
    const key = await stack.newClient();
    const response = await stack.request<Problem>('PUT', '/v1/webhook', {
      key,
      body: { url: 'https://no-such-host.invalid/hook' },
    });
    expect(response.status).toBe(422);
    expect(response.body.detail).toBe('The host no-such-host.invalid does not resolve to any address.');
  });

  it.each([
    [{ url: 'ftp://93.184.215.14/hook' }, '/url'],
    [{ url: 'not a url' }, '/url'],
    [{ url: 'https://user:pass@93.184.215.14/hook' }, '/url'],
    [{}, '/url'],
    [{ url: PUBLIC_URL, secret: 'hunter2' }, '/secret'],
    [{ url: PUBLIC_URL, secret: `whsec_${Buffer.alloc(8).toString('base64')}` }, '/secret'],
    [{ url: PUBLIC_URL, events: ['match.completed.v1'] }, '/'],
  ])('refuses %j with a 422 naming %s', async (body, pointer) => {
    const key = await stack.newClient();
    const response = await stack.request<Problem>('PUT', '/v1/webhook', { key, body });
    expect(response.status).toBe(422);
    expect(response.body.type).toBe('https://lookiy.dev/problems/validation-failed');
    expect(response.body.errors?.map((error) => error.pointer)).toContain(pointer);
    expect((await stack.request('GET', '/v1/webhook', { key })).status).toBe(404);
  });

  it('refuses a body that is not JSON', async () => {
    const key = await stack.newClient();
    const notJson = await stack.request<Problem>('PUT', '/v1/webhook', {
      key,
      rawBody: '{"url":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    const form = await stack.request<Problem>('PUT', '/v1/webhook', {
      key,
      rawBody: 'url=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });
});

describe('GET, DELETE and test of /v1/webhook', () => {
  it('answers 404 when no webhook is registered', async () => {
    const key = await stack.newClient();
    for (const [method, path] of [
      ['GET', '/v1/webhook'],
      ['DELETE', '/v1/webhook'],
      ['POST', '/v1/webhook/test'],
    ] as const) {
      const response = await stack.request<Problem>(method, path, { key });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.detail).toBe('No webhook is registered; PUT /v1/webhook registers one.');
    }
  });

  it('removes the webhook', async () => {
    const key = await stack.newClient();
    await stack.request('PUT', '/v1/webhook', { key, body: { url: PUBLIC_URL } });
    expect((await stack.request('DELETE', '/v1/webhook', { key })).status).toBe(204);
    expect((await stack.request('GET', '/v1/webhook', { key })).status).toBe(404);
  });

  it('queues a test ping and lists it as pending', async () => {
    const key = await stack.newClient();
    await stack.request('PUT', '/v1/webhook', { key, body: { url: PUBLIC_URL } });
    const ping = await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key });
    expect(ping.status).toBe(202);
    expect(ping.body).toMatchObject({
      type: 'webhook.test.v1',
      requestId: null,
      status: 'pending',
      attempts: 0,
      url: PUBLIC_URL,
    });
    const job = await stack.services.queues.get('notify').getJob(ping.body.id);
    expect(job?.data).toMatchObject({ notificationId: ping.body.id });
  });

  it('needs an API key', async () => {
    expect((await stack.request('GET', '/v1/webhook')).status).toBe(401);
    expect((await stack.request('PUT', '/v1/webhook', { body: { url: PUBLIC_URL } })).status).toBe(401);
    expect((await stack.request('GET', '/v1/notifications')).status).toBe(401);
  });
});

describe('GET /v1/notifications', () => {
  it('pages through the client’s notifications, oldest first', async () => {
    const key = await stack.newClient();
    await stack.request('PUT', '/v1/webhook', { key, body: { url: PUBLIC_URL } });
    const ids: string[] = [];
    for (let ping = 0; ping < 5; ping += 1) {
      ids.push((await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key })).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page: { body: { items: NotificationBody[]; nextCursor: string | null } } = await stack.request(
        'GET',
        `/v1/notifications?limit=2${query}`,
        { key },
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(ids);
  });

  it('refuses a cursor it did not hand out, and a bad limit', async () => {
    const key = await stack.newClient();
    expect((await stack.request('GET', '/v1/notifications?cursor=bogus', { key })).status).toBe(422);
    expect((await stack.request('GET', '/v1/notifications?limit=0', { key })).status).toBe(422);
    expect((await stack.request('GET', '/v1/notifications/not-a-uuid', { key })).status).toBe(404);
  });
});

describe('another client', () => {
  it('cannot see or change a client’s webhook or notifications', async () => {
    const owner = await stack.newClient('owner');
    const intruder = await stack.newClient('intruder');
    await stack.request('PUT', '/v1/webhook', { key: owner, body: { url: PUBLIC_URL, secret: OWN_SECRET } });
    const ping = await stack.request<NotificationBody>('POST', '/v1/webhook/test', { key: owner });

    expect((await stack.request('GET', '/v1/webhook', { key: intruder })).status).toBe(404);
    expect((await stack.request('DELETE', '/v1/webhook', { key: intruder })).status).toBe(404);
    expect((await stack.request('POST', '/v1/webhook/test', { key: intruder })).status).toBe(404);
    expect((await stack.request('GET', `/v1/notifications/${ping.body.id}`, { key: intruder })).status).toBe(
      404,
    );
    expect((await stack.request('GET', '/v1/notifications', { key: intruder })).body).toEqual({
      items: [],
      nextCursor: null,
    });
    // The intruder's own registration is its own: the owner's webhook is untouched.
    await stack.request('PUT', '/v1/webhook', { key: intruder, body: { url: 'https://1.1.1.1/intruder' } });
    const owners = await stack.request<WebhookBody>('GET', '/v1/webhook', { key: owner });
    expect(owners.body).toMatchObject({ url: PUBLIC_URL, secretHint: `${OWN_SECRET.slice(0, 10)}…` });
  });
});

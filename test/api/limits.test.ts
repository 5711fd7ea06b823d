import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { createApp } from '../../api/app.js';
import { useTestContext } from '../support/context.js';

const RATE_LIMIT = 5;
const stack = useTestContext({
  env: { RATE_LIMIT_REQUESTS: String(RATE_LIMIT), RATE_LIMIT_WINDOW_S: '3600', JSON_MAX_DEPTH: '8' },
});

const withCors = useTestContext({ env: { CORS_ORIGINS: 'https://app.example.com' } });

const job = (externalId: string) => ({ externalId, title: 'Go engineer', description: 'Go services.' });

describe('per-key rate limit', () => {
  it('answers 429 with Retry-After once a key has used its window, across API replicas, and not for other keys', async () => {
    const key = await stack.newClient();
    const other = await stack.newClient();
    // A second API replica on the same Redis: the count is shared.
    const replica = createApp(stack.services).listen(0, '127.0.0.1');
    await once(replica, 'listening');
    const replicaUrl = `http://127.0.0.1:${(replica.address() as AddressInfo).port}`;
    try {
      const statuses: number[] = [];
      for (let index = 0; index < RATE_LIMIT; index += 1) {
        const response =
          index % 2 === 0
            ? await stack.request('GET', '/v1/jobs', { key })
            : await fetch(`${replicaUrl}/v1/jobs`, { headers: { authorization: `Bearer ${key}` } });
        statuses.push(response.status);
        expect(response.headers.get('ratelimit-policy')).toBe(`"per-key";q=${RATE_LIMIT};w=3600`);
        expect(response.headers.get('ratelimit')).toMatch(
          new RegExp(`^"per-key";r=${RATE_LIMIT - index - 1};t=\\d+$`),
        );
      }
      expect(statuses).toEqual(Array<number>(RATE_LIMIT).fill(200));

      const refused = await stack.request<{ type: string; detail: string }>('POST', '/v1/jobs', {
        key,
        body: job('over-the-limit'),
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body.detail).toMatch(/at most 5 per 3600 s/);
      expect(await stack.countRows('jobs')).toBe(0);
      expect(
        (await fetch(`${replicaUrl}/v1/jobs`, { headers: { authorization: `Bearer ${key}` } })).status,
      ).toBe(429);

      expect((await stack.request('GET', '/v1/jobs', { key: other })).status).toBe(200);
    } finally {
      replica.close();
    }
  });
});

describe('input limits', () => {
  it('refuses a body nested deeper than JSON_MAX_DEPTH with a 422 that says so, and writes nothing', async () => {
    const key = await stack.newClient();
    let nested: unknown = 'deep';
    for (let level = 0; level < 20; level += 1) nested = { level: nested };
    const response = await stack.request<{ detail: string }>('POST', '/v1/jobs', {
      key,
      body: { ...job('deep'), extra: nested },
    });
    expect(response.status).toBe(422);
    expect(response.body.detail).toMatch(/deeper than 8 levels/);
    expect(await stack.countRows('jobs')).toBe(0);
  });

  it('names the limit for long strings, long arrays and large pages', async () => {
    const key = await stack.newClient();
    const tooLong = await stack.request<{ errors: { pointer: string }[] }>('POST', '/v1/jobs', {
      key,
      body: { ...job('long'), title: 'x'.repeat(301) },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors.map((error) => error.pointer)).toEqual(['/title']);
    const tooMany = await stack.request<{ errors: { pointer: string }[] }>('POST', '/v1/jobs', {
      key,
      body: { ...job('many'), skills: Array.from({ length: 201 }, (_, index) => `skill-${index}`) },
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors.map((error) => error.pointer)).toEqual(['/skills']);
    const page = await stack.request<{ errors: { pointer: string }[] }>('GET', '/v1/jobs?limit=101', { key });
    expect(page.status).toBe(422);
    expect(page.body.errors.map((error) => error.pointer)).toEqual(['/limit']);
  });
});

describe('hardening', () => {
  it('sends security headers and no framework banner', async () => {
    const response = await stack.request('GET', '/healthz');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('allows no cross-origin browser calls unless CORS_ORIGINS names the origin', async () => {
    const preflight = await fetch(`${stack.baseUrl}/v1/jobs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const preflightTo = (origin: string) =>
      fetch(`${withCors.baseUrl}/v1/jobs`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflightTo('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(
      (await preflightTo('https://evil.example.net')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});

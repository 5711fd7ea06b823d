import { describe, expect, it } from 'vitest';

import { ADMIN_TOKEN, useTestContext } from '../support/context.js';

const stack = useTestContext();

describe('POST /admin/clients', () => {
  it('creates a client whose key works on /v1 and is shown once', async () => {
    const created = await stack.request<{ id: string; name: string; apiKey: string }>(
      'POST',
      '/admin/clients',
      {
        key: ADMIN_TOKEN,
        body: { name: 'acme' },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'acme' });
    expect(created.body.apiKey).toMatch(/^lk_[0-9a-f]{8}_/);

    const listed = await stack.request('GET', '/v1/jobs', { key: created.body.apiKey });
    expect(listed.status).toBe(200);

    const stored = (await stack.services.db('clients').where({ id: created.body.id }).first()) as Record<
      string,
      string
    >;
    expect(JSON.stringify(stored)).not.toContain(created.body.apiKey);
  });

  it('refuses a missing or wrong admin token with 401 problem+json', async () => {
    for (const key of [undefined, 'wrong-token-wrong-token-wrong']) {
      const response = await stack.request('POST', '/admin/clients', { key, body: { name: 'x' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses a client key on the admin API', async () => {
    const key = await stack.newClient();
    const response = await stack.request('POST', '/admin/clients', { key, body: { name: 'x' } });
    expect(response.status).toBe(401);
  });

  it('names the missing field', async () => {
    const response = await stack.request<{ errors: { pointer: string }[] }>('POST', '/admin/clients', {
      key: ADMIN_TOKEN,
      body: {},
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toContainEqual(expect.objectContaining({ pointer: '/name' }));
  });
});

describe('/v1 authentication', () => {
  it('answers 401 with WWW-Authenticate for a missing, malformed or unknown key', async () => {
    for (const key of [undefined, 'nonsense', 'lk_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const response = await stack.request('GET', '/v1/jobs', { key });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });
});

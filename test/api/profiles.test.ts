import { describe, expect, it } from 'vitest';

import { useTestContext } from '../support/context.js';

const stack = useTestContext();

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

interface Profile {
  id: string;
  externalId: string;
  revision: number;
  skills: string[];
  [field: string]: unknown;
}

const kinds = [
  {
    kind: 'job',
    table: 'jobs',
    path: '/v1/jobs',
    valid: (externalId: string) => ({
      externalId,
      title: 'Backend Engineer',
      description: 'Build Go services on Kubernetes with PostgreSQL.',
      skills: ['Go', 'k8s'],
      remote: true,
      seniority: 'senior',
    }),
    requiredField: 'title',
    mistyped: { field: 'remote', value: 'yes' },
    patch: { title: 'Staff Backend Engineer' },
  },
  {
    kind: 'candidate',
    table: 'candidates',
    path: '/v1/candidates',
    valid: (externalId: string) => ({
      externalId,
      name: 'Ada',
      headline: 'Backend developer',
      resumeText: 'Five years of Go and Kubernetes. Operated PostgreSQL clusters.',
      skills: ['golang'],
      yearsExperience: 5,
    }),
    requiredField: 'resumeText',
    mistyped: { field: 'yearsExperience', value: 'five' },
    patch: { headline: 'Platform engineer' },
  },
] as const;

describe.each(kinds)('$path', ({ kind, table, path, valid, requiredField, mistyped, patch }) => {
  it('creates with 201 and Location, then upserts by externalId with 200', async () => {
    const key = await stack.newClient();
    const created = await stack.request<Profile>('POST', path, { key, body: valid('ext-1') });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${path}/${created.body.id}`);
    expect(created.body).toMatchObject({ externalId: 'ext-1', revision: 1 });

    const again = await stack.request<Profile>('POST', path, {
      key,
      body: { ...valid('ext-1'), skills: ['Rust'] },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, revision: 2, skills: ['Rust'] });

    const fetched = await stack.request<Profile>('GET', `${path}/${created.body.id}`, { key });
    expect(fetched.status).toBe(200);
    expect(fetched.body.skills).toEqual(['Rust']);

    const events = (await stack.services
      .db('outbox')
      .where({ aggregateId: created.body.id })
      .orderBy('id')) as {
      eventType: string;
    }[];
    expect(events.map((event) => event.eventType)).toEqual([`${kind}.created.v1`, `${kind}.updated.v1`]);
  });

  it('patches, bumping the revision, and deletes with 204', async () => {
    const key = await stack.newClient();
    const { body: profile } = await stack.request<Profile>('POST', path, { key, body: valid('ext-patch') });
    const patched = await stack.request<Profile>('PATCH', `${path}/${profile.id}`, { key, body: patch });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ ...patch, revision: 2 });

    const deleted = await stack.request('DELETE', `${path}/${profile.id}`, { key });
    expect(deleted.status).toBe(204);
    expect((await stack.request('GET', `${path}/${profile.id}`, { key })).status).toBe(404);
    expect((await stack.request('DELETE', `${path}/${profile.id}`, { key })).status).toBe(404);
    const deletedEvent = await stack.services
      .db('outbox')
      .where({ aggregateId: profile.id, eventType: `${kind}.deleted.v1` });
    expect(deletedEvent).toHaveLength(1);
  });

  it('refuses a PATCH to an externalId another record uses with 409', async () => {
    const key = await stack.newClient();
    await stack.request('POST', path, { key, body: valid('taken') });
    const { body: other } = await stack.request<Profile>('POST', path, { key, body: valid('other') });
    const response = await stack.request<Problem>('PATCH', `${path}/${other.id}`, {
      key,
      body: { externalId: 'taken' },
    });
    expect(response.status).toBe(409);
    expect(response.body.errors?.[0]?.pointer).toBe('/externalId');
  });

  it('lists with cursor pagination, each item once', async () => {
    const key = await stack.newClient();
    const externalIds = Array.from({ length: 7 }, (_, index) => `page-${index}`);
    for (const externalId of externalIds) await stack.request('POST', path, { key, body: valid(externalId) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${cursor}`;
      const page = await stack.request<{ items: Profile[]; nextCursor: string | null }>(
        'GET',
        `${path}${query}`,
        { key },
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((item) => item.externalId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(externalIds.sort());
  });

  it('upserts a batch and reports per item, writing the valid ones', async () => {
    const key = await stack.newClient();
    const items = [valid('b-1'), { ...valid('b-2'), [requiredField]: undefined }, valid('b-3'), valid('b-1')];
    const response = await stack.request<{
      created: number;
      updated: number;
      invalid: number;
      items: { index: number; status: string; id?: string; errors?: { pointer: string }[] }[];
    }>('POST', `${path}/batch`, { key, body: { items } });
    expect(response.status).toBe(200);
    expect(response.body.items.map((item) => item.status)).toEqual([
      'created',
      'invalid',
      'created',
      'created',
    ]);
    expect(response.body.items[1]?.errors).toContainEqual(
      expect.objectContaining({ pointer: `/items/1/${requiredField}` }),
    );
    expect(response.body.items[0]?.id).toBe(response.body.items[3]?.id);
    expect(response.body).toMatchObject({ created: 3, invalid: 1 });
    const list = await stack.request<{ items: Profile[] }>('GET', `${path}?limit=100`, { key });
    expect(list.body.items.map((item) => item.externalId).sort()).toEqual(['b-1', 'b-3']);
  });

  it('refuses an empty batch, a batch over 1,000 items and a non-array with 422, writing nothing', async () => {
    const key = await stack.newClient();
    const before = await stack.countRows(table);
    for (const body of [
      { items: [] },
      { items: Array.from({ length: 1001 }, (_, index) => valid(`x${index}`)) },
      { items: 'no' },
    ]) {
      const response = await stack.request<Problem>('POST', `${path}/batch`, { key, body });
      expect(response.status).toBe(422);
      expect(response.body.errors?.[0]?.pointer).toBe('/items');
    }
    expect(await stack.countRows(table)).toBe(before);
  });

  describe('bad input gets a problem+json 4xx and writes nothing', () => {
    const cases: {
      name: string;
      status: number;
      pointer?: string;
      /** `existing` is a record of the same kind created before the counts are taken. */
      send: (key: string, existing: string) => Promise<{ status: number; body: Problem; headers: Headers }>;
    }[] = [
      {
        name: 'malformed JSON',
        status: 400,
        send: (key) =>
          stack.request<Problem>('POST', path, {
            key,
            rawBody: '{"externalId": ',
            headers: { 'content-type': 'application/json' },
          }),
      },
      {
        name: 'a missing required field',
        status: 422,
        pointer: `/${requiredField}`,
        send: (key) =>
          stack.request<Problem>('POST', path, {
            key,
            body: { ...valid('bad'), [requiredField]: undefined },
          }),
      },
      {
        name: 'a mistyped field',
        status: 422,
        pointer: `/${mistyped.field}`,
        send: (key) =>
          stack.request<Problem>('POST', path, {
            key,
            body: { ...valid('bad'), [mistyped.field]: mistyped.value },
          }),
      },
      {
        name: 'an unknown field',
        status: 422,
        send: (key) =>
          stack.request<Problem>('POST', path, { key, body: { ...valid('bad'), titel: 'typo' } }),
      },
      {
        name: 'a JSON array instead of an object',
        status: 422,
        send: (key) => stack.request<Problem>('POST', path, { key, body: [valid('bad')] }),
      },
      {
        name: 'a body over the size limit',
        status: 413,
        send: (key) =>
          stack.request<Problem>('POST', path, {
            key,
            body: { ...valid('bad'), notes: 'x'.repeat(stack.config.http.bodyLimitBytes + 10) },
          }),
      },
      {
        name: 'a body that is not JSON',
        status: 415,
        send: (key) =>
          stack.request<Problem>('POST', path, {
            key,
            rawBody: 'externalId=bad',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
      },
      {
        name: 'an empty PATCH',
        status: 422,
        send: (key, existing) => stack.request<Problem>('PATCH', `${path}/${existing}`, { key, body: {} }),
      },
      {
        name: 'an unknown id',
        status: 404,
        send: (key) => stack.request<Problem>('GET', `${path}/00000000-0000-4000-8000-000000000000`, { key }),
      },
      {
        name: 'an id that is not a UUID',
        status: 404,
        send: (key) => stack.request<Problem>('PATCH', `${path}/not-a-uuid`, { key, body: patch }),
      },
      {
        name: 'a bad list limit',
        status: 422,
        pointer: '/limit',
        send: (key) => stack.request<Problem>('GET', `${path}?limit=1000`, { key }),
      },
      {
        name: 'a forged cursor',
        status: 422,
        pointer: '/cursor',
        send: (key) => stack.request<Problem>('GET', `${path}?cursor=bm90LWEtY3Vyc29y`, { key }),
      },
    ];

    it.each(cases)('$name → $status', async ({ status, pointer, send }) => {
      const key = await stack.newClient();
      const { body: existing } = await stack.request<Profile>('POST', path, { key, body: valid('existing') });
      const [rowsBefore, eventsBefore] = [await stack.countRows(table), await stack.countRows('outbox')];
      const response = await send(key, existing.id);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({
        status,
        type: expect.stringContaining('/problems/') as unknown,
        detail: expect.any(String) as unknown,
      });
      if (pointer) expect(response.body.errors).toContainEqual(expect.objectContaining({ pointer }));
      expect(await stack.countRows(table)).toBe(rowsBefore);
      expect(await stack.countRows('outbox')).toBe(eventsBefore);
      const unchanged = await stack.request<Profile>('GET', `${path}/${existing.id}`, { key });
      expect(unchanged.body.revision).toBe(1);
    });
  });
});

describe('unknown routes', () => {
  it('answer 404 problem+json', async () => {
    const key = await stack.newClient();
    const response = await stack.request<Problem>('GET', '/v1/nothing-here', { key });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});

import { describe, expect, it } from 'vitest';

import { openApiDocument } from '../../../lib/openapi.js';
import { ADMIN_TOKEN, useTestContext } from '../../support/context.js';

// What the fuzzers found, pinned down one request at a time.
const stack = useTestContext({ env: { WEBHOOK_ALLOWED_NETWORKS: '' } });

interface Problem {
  status: number;
  errors?: { pointer: string; detail: string }[];
}

const WRITES = ['jobs', 'candidates', 'outbox', 'matchRequests', 'clients'] as const;

async function rowCounts(): Promise<Record<string, number>> {
  return Object.fromEntries(
    await Promise.all(
      WRITES.map(async (table): Promise<[string, number]> => [table, await stack.countRows(table)]),
    ),
  );
}

const job = { externalId: 'job-1', title: 'Go developer', description: 'Go services on Kubernetes.' };

describe('text Postgres cannot store as sent is refused, not a 500', () => {
  it('answers 422 naming the field for NUL and lone surrogates in every kind of text field', async () => {
    const key = await stack.newClient();
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: { externalId: 'cand-1', resumeText: 'Go developer' },
    });
    const before = await rowCounts();
    const attempts: [string, string, unknown, string][] = [
      ['POST', '/v1/jobs', { ...job, externalId: '\u0000' }, '/externalId'],
      ['POST', '/v1/jobs', { ...job, title: 'Go\u0000' }, '/title'],
      ['POST', '/v1/jobs', { ...job, description: 'lone \ud800 high' }, '/description'],
      ['POST', '/v1/jobs', { ...job, skills: ['Go', 'x\udfff'] }, '/skills/1'],
      ['POST', '/v1/candidates', { externalId: 'c', resumeText: 'x', headline: '\udbff\udbff' }, '/headline'],
      ['PATCH', `/v1/candidates/${candidate.id}`, { location: 'Berlin\u0000' }, '/location'],
      [
        'POST',
        '/v1/match-requests',
        { candidateId: candidate.id, filters: { location: '\u0000' } },
        '/filters/location',
      ],
    ];
    for (const [method, path, body, pointer] of attempts) {
      const response = await stack.request<Problem>(method, path, { key, body });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      expect(response.body.errors?.map((error) => error.pointer)).toContain(pointer);
    }
    const admin = await stack.request<Problem>('POST', '/admin/clients', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: { name: 'acme\u0000' },
    });
    expect(admin.status).toBe(422);
    expect(await rowCounts()).toEqual(before);
  });

  it('reports such an item of a batch as invalid and writes the others', async () => {
    const key = await stack.newClient();
    const response = await stack.request<{
      created: number;
      invalid: number;
      items: { errors?: unknown[] }[];
    }>('POST', '/v1/jobs/batch', {
      key,
      body: { items: [job, { ...job, externalId: 'job-2', title: '\ud800' }] },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ created: 1, invalid: 1 });
    expect(response.body.items[1]?.errors).toEqual([
      { pointer: '/items/1/title', detail: 'must not contain NUL (U+0000) or unpaired surrogate characters' },
    ]);
  });

  it('still takes any other Unicode, surrogate pairs included, and reads it back unchanged', async () => {
    const key = await stack.newClient();
    const title = 'Ingénieur 😀 \u202e日本語 ǅ \u0001';
    const created = await stack.request<{ id: string; title: string }>('POST', '/v1/jobs', {
      key,
      body: { ...job, title },
    });
    expect(created.status).toBe(201);
    const shown = await stack.request<{ title: string }>('GET', `/v1/jobs/${created.body.id}`, { key });
    expect(shown.body.title).toBe(title);
  });
});

describe('years of experience are taken only as precisely as they are stored', () => {
  it('refuses more than one decimal place instead of rounding it away', async () => {
    const key = await stack.newClient();
    const before = await rowCounts();
    for (const value of [0.05, 12.34, 5e-324, 0.30000000000000004]) {
      const response = await stack.request<Problem>('POST', '/v1/jobs', {
        key,
        body: { ...job, minYearsExperience: value },
      });
      expect(response.status, String(value)).toBe(422);
      expect(response.body.errors?.[0]?.pointer).toBe('/minYearsExperience');
      const candidate = await stack.request<Problem>('POST', '/v1/candidates', {
        key,
        body: { externalId: 'c', resumeText: 'x', yearsExperience: value },
      });
      expect(candidate.status, String(value)).toBe(422);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('stores tenths exactly', async () => {
    const key = await stack.newClient();
    for (const value of [0, 0.1, 0.3, 2.5, 69.9, 70]) {
      const created = await stack.request<{ id: string }>('POST', '/v1/jobs', {
        key,
        body: { ...job, externalId: `years-${value}`, minYearsExperience: value },
      });
      expect(created.status).toBe(201);
      const shown = await stack.request<{ minYearsExperience: number }>(
        'GET',
        `/v1/jobs/${created.body.id}`,
        {
          key,
        },
      );
      expect(shown.body.minYearsExperience).toBe(value);
    }
  });

  it('says so in the OpenAPI document', () => {
    const body = openApiDocument('test').paths?.['/v1/jobs']?.post?.requestBody as {
      content: { 'application/json': { schema: { properties: Record<string, { anyOf: object[] }> } } };
    };
    expect(body.content['application/json'].schema.properties.minYearsExperience?.anyOf).toContainEqual(
      expect.objectContaining({ multipleOf: 0.1 }),
    );
  });
});

describe('a crafted cursor is a 422, never a 500', () => {
  const cursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const id = '3f2c1a9e-5b7d-4c1e-9a2b-0c4d5e6f7a8b';
  const crafted = [
    // Date.parse reads these; Postgres cannot cast them to timestamptz.
    cursor(['Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)', id]),
    cursor(['1', id]),
    cursor(['2020-02-30T00:00:00.000000Z', id]),
    cursor(['0000-01-01T00:00:00.000000Z', id]),
    // The old [0-9a-f-]{36} check let these through; Postgres cannot cast them to uuid.
    cursor(['2026-01-01T00:00:00.000000Z', '-'.repeat(36)]),
    cursor(['2026-01-01T00:00:00.000000Z', `${'a'.repeat(35)}-`]),
  ];

  it('refuses each at every paginated list, and real cursors still page', async () => {
    const key = await stack.newClient();
    for (const externalId of ['a', 'b'])
      await stack.request('POST', '/v1/jobs', { key, body: { ...job, externalId } });
    const lists: [string, Record<string, string>][] = [
      ['/v1/jobs', {}],
      ['/v1/candidates', {}],
      ['/v1/notifications', {}],
      ['/admin/clients', { authorization: `Bearer ${ADMIN_TOKEN}` }],
    ];
    for (const [path, headers] of lists) {
      for (const value of crafted) {
        const response = await stack.request<Problem>('GET', `${path}?cursor=${value}`, {
          key: path.startsWith('/v1') ? key : undefined,
          headers,
        });
        expect(response.status, `${path} ${Buffer.from(value, 'base64url').toString()}`).toBe(422);
        expect(response.body.errors?.[0]?.pointer).toBe('/cursor');
      }
    }
    const first = await stack.request<{ nextCursor: string }>('GET', '/v1/jobs?limit=1', { key });
    const second = await stack.request<{ items: { externalId: string }[] }>(
      'GET',
      `/v1/jobs?limit=1&cursor=${first.body.nextCursor}`,
      { key },
    );
    expect(second.status).toBe(200);
    expect(second.body.items.map((item) => item.externalId)).toEqual(['b']);
  });
});

describe('a method a path lacks is a problem+json 405, never text or a 5xx', () => {
  it('answers a known method the path lacks, and one no route has, with 405, Allow and a problem', async () => {
    const key = await stack.newClient();
    const before = await rowCounts();
    for (const [method, path, allow] of [
      ['PUT', '/v1/jobs', 'POST, HEAD, GET'],
      ['POST', '/v1/webhook', 'PUT, HEAD, GET, DELETE'],
      // The router answered 501 Not Implemented to methods no route has: a 5xx for a client's mistake.
      ['PROPFIND', '/v1/jobs', 'POST, HEAD, GET'],
      ['PUT', '/healthz', 'HEAD, GET'],
    ] as const) {
      const response = await fetch(`${stack.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('allow')).toBe(allow);
      expect(await response.json()).toMatchObject({
        type: 'https://lookiy.dev/problems/method-not-allowed',
        status: 405,
        detail: `${method} is not allowed on ${path}; it allows ${allow}.`,
      });
    }
    expect(await rowCounts()).toEqual(before);
  });
});

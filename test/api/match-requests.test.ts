import { describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';

// No workers: these tests look at what the API accepts and refuses, and at requests still pending.
const stack = useTestContext();

interface Problem {
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
}

describe('POST /v1/match-requests', () => {
  it('accepts with 202, Location and Retry-After, and a pending GET says queued with Retry-After', async () => {
    const key = await stack.newClient();
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const response = await stack.request<{ id: string; status: string; topK: number; subject: unknown }>(
      'POST',
      '/v1/match-requests',
      {
        key,
        body: { candidateId: candidate.id },
      },
    );
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      status: 'queued',
      topK: 10,
      subject: { type: 'candidate', id: candidate.id },
    });
    const location = response.headers.get('location') ?? '';
    const polled = await stack.request<{ status: string; results?: unknown }>('GET', location, { key });
    expect(polled.status).toBe(200);
    expect(polled.body.status).toBe('queued');
    expect(polled.body.results).toBeUndefined();
    expect(polled.headers.get('retry-after')).toBe('1');
    const job = await stack.services.queues.get('match').getJob(response.body.id);
    expect(job?.data).toEqual({
      requestId: response.body.id,
      trace: { requestId: response.headers.get('x-request-id') },
    });
  });

  const invalid: { name: string; body: unknown; pointer: string }[] = [
    { name: 'neither candidateId nor jobId', body: { topK: 5 }, pointer: '/' },
    {
      name: 'both candidateId and jobId',
      body: {
        candidateId: '00000000-0000-4000-8000-000000000000',
        jobId: '00000000-0000-4000-8000-000000000000',
      },
      pointer: '/',
    },
    { name: 'a candidateId that is not a UUID', body: { candidateId: 'abc' }, pointer: '/candidateId' },
    {
      name: 'an unknown candidateId',
      body: { candidateId: '00000000-0000-4000-8000-000000000000' },
      pointer: '/candidateId',
    },
    { name: 'an unknown jobId', body: { jobId: '00000000-0000-4000-8000-000000000000' }, pointer: '/jobId' },
    {
      name: 'topK 0',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', topK: 0 },
      pointer: '/topK',
    },
    {
      name: 'topK 101',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', topK: 101 },
      pointer: '/topK',
    },
    {
      name: 'a fractional topK',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', topK: 2.5 },
      pointer: '/topK',
    },
    {
      name: 'a mistyped filter',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', filters: { remote: 'yes' } },
      pointer: '/filters/remote',
    },
    {
      name: 'an unknown filter',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', filters: { colour: 'red' } },
      pointer: '/filters',
    },
    {
      name: 'an empty list of required skills',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', filters: { requiredSkills: [] } },
      pointer: '/filters/requiredSkills',
    },
    {
      name: 'a minimum of years above the maximum',
      body: {
        candidateId: '00000000-0000-4000-8000-000000000000',
        filters: { minYearsExperience: 5, maxYearsExperience: 2 },
      },
      pointer: '/filters/maxYearsExperience',
    },
    {
      name: 'a salary range upside down',
      body: {
        candidateId: '00000000-0000-4000-8000-000000000000',
        filters: { salary: { min: 90000, max: 50000 } },
      },
      pointer: '/filters/salary/max',
    },
    {
      name: 'an unknown seniority',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', filters: { seniority: ['principal'] } },
      pointer: '/filters/seniority/0',
    },
    {
      name: 'an excluded id that is no UUID',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', filters: { excludeIds: ['job-1'] } },
      pointer: '/filters/excludeIds/0',
    },
    {
      name: 'a moment that is no date-time',
      body: { candidateId: '00000000-0000-4000-8000-000000000000', filters: { postedAfter: 'yesterday' } },
      pointer: '/filters/postedAfter',
    },
  ];

  it.each(invalid)('refuses $name with 422 naming $pointer, writing nothing', async ({ body, pointer }) => {
    const key = await stack.newClient();
    const before = await stack.countRows('matchRequests');
    const response = await stack.request<Problem>('POST', '/v1/match-requests', { key, body });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors?.map((error) => error.pointer)).toContain(pointer);
    expect(await stack.countRows('matchRequests')).toBe(before);
  });

  it('refuses an over-long Idempotency-Key', async () => {
    const key = await stack.newClient();
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const response = await stack.request<Problem>('POST', '/v1/match-requests', {
      key,
      headers: { 'idempotency-key': 'k'.repeat(300) },
      body: { candidateId: candidate.id },
    });
    expect(response.status).toBe(422);
  });

  it('answers 404 for an unknown or malformed request id', async () => {
    const key = await stack.newClient();
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect((await stack.request('GET', `/v1/match-requests/${id}`, { key })).status).toBe(404);
    }
  });
});

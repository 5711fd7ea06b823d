import { describe, expect, it } from 'vitest';

import { jobCorpus, kubernetesGoCandidate, nurseCandidate, type JobFixture } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody, type MatchResultBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

interface Created {
  id: string;
}

async function seed(key: string): Promise<Map<string, JobFixture>> {
  const items = jobCorpus.map(({ family: _family, ...job }) => job);
  const response = await stack.request<{ created: number; invalid: number }>('POST', '/v1/jobs/batch', {
    key,
    body: { items },
  });
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ created: jobCorpus.length, invalid: 0 });
  return new Map(jobCorpus.map((job) => [job.externalId, job]));
}

describe('matching end to end (API → queue → workers → Postgres)', () => {
  it('ranks backend jobs above nursing and sales jobs for a Go/Kubernetes candidate, with explanations', async () => {
    const key = await stack.newClient();
    const jobs = await seed(key);
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });

    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.id, topK: 50 },
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status).toBe('queued');
    expect(submitted.headers.get('location')).toBe(`/v1/match-requests/${submitted.body.id}`);
    expect(submitted.headers.get('retry-after')).not.toBeNull();

    const done = await waitForMatch(stack, key, submitted.body.id);
    expect(done.status).toBe('completed');
    const results = done.results ?? [];
    const families = results.map((result) => jobs.get(result.targetExternalId)?.family);

    expect(families.slice(0, 5).every((family) => family === 'backend' || family === 'devops')).toBe(true);
    const lastBackend = families.lastIndexOf('backend');
    const firstUnrelated = families.findIndex((family) => family === 'nursing' || family === 'sales');
    if (firstUnrelated !== -1) expect(lastBackend).toBeLessThan(firstUnrelated);
    expect(results.map((result) => result.rank)).toEqual(results.map((_, index) => index + 1));
    expect([...results].sort((a, b) => b.score - a.score)).toEqual(results);

    const top = results[0];
    expect(top?.explanation.matchedSkills).toEqual(expect.arrayContaining(['Go', 'Kubernetes']));
    expect(top?.explanation.factors[0]).toMatchObject({ feature: expect.any(String) as unknown });
    const events = (await stack.services
      .db('outbox')
      .where({ aggregateId: submitted.body.id })
      .orderBy('id')) as {
      eventType: string;
    }[];
    expect(events.map((event) => event.eventType)).toEqual(['match.requested.v1', 'match.completed.v1']);
  });

  it('ranks candidates for a job: the nurse first for an ICU nursing job', async () => {
    const key = await stack.newClient();
    await seed(key);
    const nurse = await stack.request<Created>('POST', '/v1/candidates', { key, body: nurseCandidate });
    await stack.request('POST', '/v1/candidates', { key, body: kubernetesGoCandidate });
    const jobs = await stack.request<{ items: (Created & { externalId: string })[] }>(
      'GET',
      '/v1/jobs?limit=100',
      { key },
    );
    const icu = jobs.body.items.find((job) => job.externalId === 'nursing-1');

    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { jobId: icu?.id },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    expect(done.status).toBe('completed');
    expect(done.results?.[0]?.targetId).toBe(nurse.body.id);
    const explanation = done.results?.[0]?.explanation;
    expect(explanation?.matchedSkills).toEqual(
      expect.arrayContaining(['Basic Life Support', 'Advanced Cardiac Life Support']),
    );
    // The job's title and the nurse's headline both name O*NET's registered nurses; the texts' embeddings
    // are stored by the features worker and compared here.
    expect(explanation?.occupation).toEqual({
      job: 'Registered Nurses (29-1141.00)',
      candidate: 'Registered Nurses (29-1141.00)',
      relation: 'same occupation',
    });
    expect(explanation?.semanticSimilarity).toBeGreaterThan(0.3);
    expect(explanation?.factors.length).toBeGreaterThan(0);
    for (const factor of explanation?.factors ?? []) expect(factor.effect).not.toBe(0);
  });

  it('applies filters and topK', async () => {
    const key = await stack.newClient();
    const jobs = await seed(key);
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.id, topK: 2, filters: { remote: true } },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    expect(done.results).toHaveLength(2);
    for (const result of done.results ?? []) expect(jobs.get(result.targetExternalId)?.remote).toBe(true);
  });

  it('never matches closed jobs', async () => {
    const key = await stack.newClient();
    await seed(key);
    const list = await stack.request<{ items: (Created & { externalId: string })[] }>(
      'GET',
      '/v1/jobs?limit=100',
      { key },
    );
    const backendIds = list.body.items
      .filter((job) => job.externalId.startsWith('backend-'))
      .map((job) => job.id);
    for (const id of backendIds)
      await stack.request('PATCH', `/v1/jobs/${id}`, { key, body: { status: 'closed' } });
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.id, topK: 100 },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    expect(done.status).toBe('completed');
    const ranked = new Set(done.results?.map((result) => result.targetId));
    for (const id of backendIds) expect(ranked.has(id)).toBe(false);
  });

  it('ranks an updated job by its new text, not by what the worker compiled and cached before', async () => {
    const key = await stack.newClient();
    await seed(key);
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const match = async () => {
      const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
        key,
        body: { candidateId: candidate.id, topK: 100 },
      });
      return (await waitForMatch(stack, key, submitted.body.id)).results ?? [];
    };
    const rankOf = (results: MatchResultBody[], externalId: string) =>
      results.find((result) => result.targetExternalId === externalId)?.rank ?? Infinity;

    const before = await match();
    expect(rankOf(before, 'nursing-1')).toBeGreaterThan(10);
    const list = await stack.request<{ items: (Created & { externalId: string })[] }>(
      'GET',
      '/v1/jobs?limit=100',
      { key },
    );
    const nursing = list.body.items.find((job) => job.externalId === 'nursing-1');
    const updated = await stack.request('PATCH', `/v1/jobs/${nursing?.id ?? ''}`, {
      key,
      body: {
        title: 'Senior Go Engineer, Kubernetes platform',
        description:
          'Build backend services in Go on Kubernetes and PostgreSQL. Requirements: 5 years of Go, Kubernetes, PostgreSQL, gRPC.',
        skills: ['go', 'kubernetes', 'postgresql'],
      },
    });
    expect(updated.status).toBe(200);

    const after = await match();
    expect(rankOf(after, 'nursing-1')).toBeLessThanOrEqual(3);
    const result = after.find((item) => item.targetExternalId === 'nursing-1');
    expect(result?.explanation.matchedSkills).toEqual(expect.arrayContaining(['Go', 'Kubernetes']));
  });

  it('extracts features in the background, resolving aliases to canonical skills', async () => {
    const key = await stack.newClient();
    const { body: job } = await stack.request<Created>('POST', '/v1/jobs', {
      key,
      body: {
        externalId: 'alias-job',
        title: 'Engineer',
        description: 'We run k8s and Node.js services, CI/CD on GitLab.',
        skills: ['postgres'],
      },
    });
    let view: { features: { status: string; skills: string[] } } | undefined;
    for (let attempt = 0; attempt < 300 && view?.features.status !== 'ready'; attempt += 1) {
      view = (
        await stack.request<{ features: { status: string; skills: string[] } }>('GET', `/v1/jobs/${job.id}`, {
          key,
        })
      ).body;
      if (view.features.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(view?.features.status).toBe('ready');
    expect(view?.features.skills).toEqual(
      expect.arrayContaining(['Kubernetes', 'Node.js', 'PostgreSQL', 'CI/CD']),
    );
  });

  it('returns the same request for a repeated Idempotency-Key', async () => {
    const key = await stack.newClient();
    const { body: candidate } = await stack.request<Created>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const headers = { 'idempotency-key': 'retry-me-1' };
    const first = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      headers,
      body: { candidateId: candidate.id },
    });
    const second = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      headers,
      body: { candidateId: candidate.id },
    });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    const rows = await stack.services.db('matchRequests').where({ idempotencyKey: 'retry-me-1' });
    expect(rows).toHaveLength(1);
  });
});

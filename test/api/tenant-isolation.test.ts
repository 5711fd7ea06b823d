import { describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';

const stack = useTestContext();

interface Created {
  id: string;
}

describe('a client sees only its own rows', () => {
  it('answers 404 (never 403) for every route given another client’s ids, and changes nothing', async () => {
    const owner = await stack.newClient('owner');
    const intruder = await stack.newClient('intruder');
    const job = await stack.request<Created>('POST', '/v1/jobs', {
      key: owner,
      body: { externalId: 'secret-job', title: 'Go engineer', description: 'Go and Kubernetes.' },
    });
    const candidate = await stack.request<Created>('POST', '/v1/candidates', {
      key: owner,
      body: kubernetesGoCandidate,
    });
    const match = await stack.request<Created>('POST', '/v1/match-requests', {
      key: owner,
      body: { candidateId: candidate.body.id },
    });

    const attempts: [string, string, unknown][] = [
      ['GET', `/v1/jobs/${job.body.id}`, undefined],
      ['PATCH', `/v1/jobs/${job.body.id}`, { title: 'hijacked' }],
      ['DELETE', `/v1/jobs/${job.body.id}`, undefined],
      ['GET', `/v1/candidates/${candidate.body.id}`, undefined],
      ['PATCH', `/v1/candidates/${candidate.body.id}`, { headline: 'hijacked' }],
      ['DELETE', `/v1/candidates/${candidate.body.id}`, undefined],
      ['GET', `/v1/match-requests/${match.body.id}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const response = await stack.request<{ detail: string }>(method, path, { key: intruder, body });
      expect(response.status, `${method} ${path}`).toBe(404);
    }

    const unknownId = '00000000-0000-4000-8000-000000000000';
    const foreign = await stack.request<{ detail: string; errors: unknown }>('POST', '/v1/match-requests', {
      key: intruder,
      body: { candidateId: candidate.body.id },
    });
    const unknown = await stack.request<{ detail: string; errors: unknown }>('POST', '/v1/match-requests', {
      key: intruder,
      body: { candidateId: unknownId },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual(unknown.body.errors);

    for (const path of ['/v1/jobs', '/v1/candidates']) {
      const list = await stack.request<{ items: unknown[] }>('GET', path, { key: intruder });
      expect(list.body.items).toEqual([]);
    }

    const stillThere = await stack.request<{ title: string }>('GET', `/v1/jobs/${job.body.id}`, {
      key: owner,
    });
    expect(stillThere.body.title).toBe('Go engineer');
    expect((await stack.request('GET', `/v1/candidates/${candidate.body.id}`, { key: owner })).status).toBe(
      200,
    );
  });

  it('lets two clients use the same externalId independently', async () => {
    const first = await stack.newClient();
    const second = await stack.newClient();
    const body = { externalId: 'shared-ext', title: 'Nurse', description: 'Patient care.' };
    const a = await stack.request<Created>('POST', '/v1/jobs', { key: first, body });
    const b = await stack.request<Created>('POST', '/v1/jobs', { key: second, body });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

import { describe, expect, it } from 'vitest';

import { kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

// No workers at first: each test arranges the state a worker will find, then starts them.
const stack = useTestContext({ workers: false, env: { JOB_ATTEMPTS: '2' } });

describe('match requests that cannot complete', () => {
  it('fail with the reason when the subject was deleted before a worker took them', async () => {
    const key = await stack.newClient();
    const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
      key,
      body: kubernetesGoCandidate,
    });
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: candidate.id },
    });
    expect(submitted.status).toBe(202);
    expect((await stack.request('DELETE', `/v1/candidates/${candidate.id}`, { key })).status).toBe(204);

    await stack.startWorkers();
    const done = await waitForMatch(stack, key, submitted.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('no longer exists');
    expect(done.results).toBeUndefined();
    const failedEvents = await stack.services
      .db('outbox')
      .where({ aggregateId: submitted.body.id, eventType: 'match.failed.v1' });
    expect(failedEvents).toHaveLength(1);
  });
});

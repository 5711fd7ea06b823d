import { describe, expect, it } from 'vitest';

import { listFeedbackPairs, upsertFeedback } from '../../lib/db/feedback.js';
import { jobCorpus, kubernetesGoCandidate } from '../fixtures/corpus.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

interface Problem {
  status: number;
  errors?: { pointer: string }[];
}

async function completedMatch(key: string): Promise<MatchRequestBody> {
  const items = jobCorpus.slice(0, 12).map(({ family: _family, ...job }) => job);
  await stack.request('POST', '/v1/jobs/batch', { key, body: { items } });
  const { body: candidate } = await stack.request<{ id: string }>('POST', '/v1/candidates', {
    key,
    body: kubernetesGoCandidate,
  });
  const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
    key,
    body: { candidateId: candidate.id, topK: 3 },
  });
  return waitForMatch(stack, key, submitted.body.id);
}

describe('POST /v1/match-requests/:id/feedback', () => {
  it('records one outcome per result, replacing an earlier one, for the next training run', async () => {
    const key = await stack.newClient();
    const match = await completedMatch(key);
    const targetId = match.results?.[0]?.targetId ?? '';
    const path = `/v1/match-requests/${match.id}/feedback`;

    const applied = await stack.request<{ outcome: string }>('POST', path, {
      key,
      body: { targetId, outcome: 'applied' },
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ outcome: 'applied', targetId, requestId: match.id });
    const hired = await stack.request<{ outcome: string }>('POST', path, {
      key,
      body: { targetId, outcome: 'hired' },
    });
    expect(hired.body.outcome).toBe('hired');

    const rows = await stack.services.db('matchFeedback').where({ requestId: match.id });
    expect(rows).toHaveLength(1);
    const pairs = await listFeedbackPairs(stack.services.db);
    expect(pairs).toContainEqual({
      requestId: match.id,
      outcome: 'hired',
      subjectType: 'candidate',
      subjectId: match.subject.id,
      targetId,
    });
  });

  it('refuses a target that is not among the results, a bad outcome, and another client’s request', async () => {
    const key = await stack.newClient();
    const match = await completedMatch(key);
    const path = `/v1/match-requests/${match.id}/feedback`;
    const targetId = match.results?.[0]?.targetId ?? '';
    const before = await stack.countRows('matchFeedback');

    const stranger = await stack.request<Problem>('POST', path, {
      key,
      body: { targetId: '00000000-0000-4000-8000-000000000000', outcome: 'hired' },
    });
    expect(stranger.status).toBe(422);
    expect(stranger.body.errors?.[0]?.pointer).toBe('/targetId');

    const badOutcome = await stack.request<Problem>('POST', path, {
      key,
      body: { targetId, outcome: 'ghosted' },
    });
    expect(badOutcome.status).toBe(422);
    expect(badOutcome.body.errors?.[0]?.pointer).toBe('/outcome');

    const other = await stack.newClient();
    expect(
      (await stack.request('POST', path, { key: other, body: { targetId, outcome: 'hired' } })).status,
    ).toBe(404);
    expect(await stack.countRows('matchFeedback')).toBe(before);
  });

  it('records nothing for a request deleted meanwhile (retention), and says so instead of failing', async () => {
    const key = await stack.newClient();
    const match = await completedMatch(key);
    const row = (await stack.services.db('matchRequests').where({ id: match.id }).first()) as {
      clientId: string;
    };
    await stack.services.db('matchRequests').where({ id: match.id }).delete();
    const feedback = await upsertFeedback(stack.services.db, {
      requestId: match.id,
      targetId: match.results?.[0]?.targetId ?? '',
      clientId: row.clientId,
      outcome: 'hired',
    });
    expect(feedback).toBeUndefined();
    expect(await stack.services.db('matchFeedback').where({ requestId: match.id })).toEqual([]);
  });
});

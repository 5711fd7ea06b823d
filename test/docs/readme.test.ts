import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { useTestContext } from '../support/context.js';
import { waitForMatch, type MatchRequestBody } from '../support/polling.js';

const stack = useTestContext({ workers: true });

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const walkThrough = readme.slice(readme.indexOf('## Walk-through'), readme.indexOf('## API'));

/** The JSON bodies the walk-through's curl commands send, in order. */
const bodies = [...walkThrough.matchAll(/-d '(\{.*\})'/g)].map(
  (match) => JSON.parse(match[1] ?? '{}') as object,
);
/** The completed request the walk-through shows. */
const sample = JSON.parse(/```json\n([\s\S]*?)```/.exec(walkThrough)?.[1] ?? '{}') as {
  status: string;
  scorer: string;
  results: {
    targetExternalId: string;
    score: number;
    categoryScores: Record<string, number | null>;
    summary: string;
    explanation: { matchedSkills: string[]; missingSkills: string[]; occupation: unknown };
  }[];
};

describe('README walk-through', () => {
  it('answers as the README shows', async () => {
    const key = await stack.newClient();
    const [job, batch, candidate] = bodies;
    expect(bodies).toHaveLength(3);
    expect((await stack.request('POST', '/v1/jobs', { key, body: job })).status).toBe(201);
    expect((await stack.request('POST', '/v1/jobs/batch', { key, body: batch })).status).toBe(200);
    const created = await stack.request<{ id: string }>('POST', '/v1/candidates', { key, body: candidate });
    const submitted = await stack.request<MatchRequestBody>('POST', '/v1/match-requests', {
      key,
      body: { candidateId: created.body.id, topK: 3 },
    });
    const done = await waitForMatch(stack, key, submitted.body.id);
    const [top] = done.results ?? [];
    const [shown] = sample.results;
    const answer = JSON.stringify(done, null, 2);
    expect(done.status, answer).toBe(sample.status);
    expect(done.scorer, answer).toBe(sample.scorer);
    expect(top?.targetExternalId, answer).toBe(shown?.targetExternalId);
    expect(top?.score, answer).toBeCloseTo(shown?.score ?? -1, 2);
    expect(top?.summary, answer).toBe(shown?.summary);
    expect(top?.categoryScores, answer).toEqual(shown?.categoryScores);
    expect(top?.explanation.matchedSkills, answer).toEqual(shown?.explanation.matchedSkills);
    expect(top?.explanation.missingSkills, answer).toEqual(shown?.explanation.missingSkills);
    expect(top?.explanation.occupation, answer).toEqual(shown?.explanation.occupation);
  });
});

import { afterAll, describe, expect, it } from 'vitest';

import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { watchStalled } from '../support/match-stream.js';
import { waitForMatch } from '../support/polling.js';
import { WorkerProcesses } from '../support/worker-process.js';

// A short lock: a worker that holds the CPU for seconds on one profile loses its job to the other worker
// process, which reports it stalled. Superlinear extraction took tens of seconds on such texts; a loaded machine's
// pauses take far less than this.
const stack = useTestContext({ env: { JOB_LOCK_MS: '5000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

/** The longest texts the API takes, made of what once made extraction superlinear. */
const hostileResume = 'javakafka'.repeat(22_222); // one token of 199,998 characters
const hostileDescription = 'no k8s '.repeat(14_285).trim(); // a negator before every skill, 100 KB
/** The most skills a profile may list, each as long as allowed. */
const longestSkills = Array.from({ length: 200 }, (_, index) =>
  `${'Kubernetes '.repeat(8)}${index}`.slice(-100),
);

interface Profile {
  id: string;
  features: { status: string };
}

describe('the largest hostile profiles the API accepts', () => {
  it('are extracted and matched in both directions without a worker losing its lock', async () => {
    const key = await stack.newClient();
    await seedBoard(stack, key);
    const watch = await watchStalled(stack, 'features');
    const watchMatches = await watchStalled(stack);
    try {
      await stack.startWorkers(['features', 'match']);
      processes.start();
      const candidate = await stack.request<Profile>('POST', '/v1/candidates', {
        key,
        body: {
          externalId: 'one-token',
          headline: 'Engineer',
          resumeText: hostileResume,
          skills: longestSkills,
        },
      });
      const posting = await stack.request<Profile>('POST', '/v1/jobs', {
        key,
        body: {
          externalId: 'negators',
          title: 'Engineer',
          description: hostileDescription,
          skills: longestSkills,
        },
      });
      expect([candidate.status, posting.status]).toEqual([201, 201]);
      for (const [path, id] of [
        ['/v1/candidates', candidate.body.id],
        ['/v1/jobs', posting.body.id],
      ] as const) {
        await expect
          .poll(
            async () => (await stack.request<Profile>('GET', `${path}/${id}`, { key })).body.features.status,
            { timeout: 60_000, interval: 200 },
          )
          .toBe('ready');
      }

      for (const body of [
        { candidateId: candidate.body.id, topK: 100 },
        { jobId: posting.body.id, topK: 100 },
      ]) {
        const submitted = await stack.request<{ id: string }>('POST', '/v1/match-requests', { key, body });
        expect(submitted.status).toBe(202);
        const done = await waitForMatch(stack, key, submitted.body.id);
        expect(done.status).toBe('completed');
      }
      expect({ features: watch.stalled, match: watchMatches.stalled }).toEqual({ features: [], match: [] });
    } finally {
      await watch.close();
      await watchMatches.close();
    }
  });
});

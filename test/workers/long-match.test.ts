import { afterAll, describe, expect, it } from 'vitest';

import { STALE_REFRESH_LIMIT } from '../../lib/match-requests.js';
import { seedStaleBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { watchStalled } from '../support/match-stream.js';
import { waitForMatch } from '../support/polling.js';
import { WorkerProcesses } from '../support/worker-process.js';

// The shortest lock allowed, renewed every 500 ms: a worker that keeps the CPU for over a second without
// giving the event loop back loses it, and the other worker process declares the job stalled.
const stack = useTestContext({ env: { JOB_LOCK_MS: '1000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

describe('a long match job', () => {
  it('is not reported stalled while it extracts features for the stale jobs it may refresh and ranks them', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedStaleBoard(stack, key);

    const watch = await watchStalled(stack);
    try {
      // Only match workers run, so the match job itself computes features (sentence embeddings too) for as
      // many postings as it refreshes: seconds of CPU. A second worker process watches for stalled jobs, as
      // another replica would.
      await stack.startWorkers(['match']);
      const submitted = await stack.request<{ id: string }>('POST', '/v1/match-requests', {
        key,
        body: { candidateId, topK: 20 },
      });
      processes.start();
      const done = await waitForMatch(stack, key, submitted.body.id);
      expect(done.status).toBe('completed');
      expect(done.results).toHaveLength(20);

      const row = await stack.services
        .db('matchRequests')
        .where({ id: submitted.body.id })
        .first<{ attempts: number }>();
      expect(row.attempts).toBe(1);
      expect(watch.stalled).toEqual([]);
      const stale = await stack.services
        .db('jobs')
        .whereNull('featuresVersion')
        .count({ count: '*' })
        .first();
      // The rest wait for the features queue, which no worker here takes.
      expect(Number(stale?.count)).toBe(1000 - STALE_REFRESH_LIMIT);
    } finally {
      await watch.close();
    }
  });
});

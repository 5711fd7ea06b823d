import { once } from 'node:events';

import { afterAll, describe, expect, it } from 'vitest';

import { seedStaleBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import {
  expectCompletedOnce,
  holderOfActiveMatch,
  submitMatch,
  watchStalled,
} from '../support/match-stream.js';
import { WorkerProcesses } from '../support/worker-process.js';

// A short lock so a job held by a killed worker is handed to another one within seconds, not 30.
const stack = useTestContext({ env: { JOB_LOCK_MS: '2000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

describe('a match request whose worker is killed twice mid-run', () => {
  it('runs again each time and completes: losing a worker is not the request’s fault', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedStaleBoard(stack, key);
    const watch = await watchStalled(stack);
    try {
      const alive = [0, 1, 2].map(() => processes.start({ WORKER_QUEUES: 'match' }));
      const id = await submitMatch(stack, key, candidateId);
      for (let kill = 0; kill < 2; kill += 1) {
        const holder = await holderOfActiveMatch(stack, alive);
        holder.kill('SIGKILL');
        await once(holder, 'exit');
        alive.splice(alive.indexOf(holder), 1);
      }

      await expectCompletedOnce(stack, key, [id]);
      expect(watch.stalled).toEqual([id, id]);
    } finally {
      await watch.close();
    }
  });
});

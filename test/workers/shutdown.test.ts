import { once } from 'node:events';

import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';

import { JobHandBack } from '../../workers/shutdown.js';
import { seedBoard, seedStaleBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import {
  expectCompletedOnce,
  holderOfActiveMatch,
  MatchStream,
  submitMatch,
} from '../support/match-stream.js';
import { waitForMatch } from '../support/polling.js';
import { until } from '../support/until.js';
import { WorkerProcesses } from '../support/worker-process.js';

// A lock longer than any test here: a job left active by a stopping worker would stay stuck, not be rescued
// by the stalled-job check, so every request that completes was finished or handed back by the shutdown.
const stack = useTestContext({ env: { JOB_LOCK_MS: '120000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

describe('a worker process told to stop (SIGTERM)', () => {
  it('finishes its active jobs, takes no new ones and exits 0, while another worker takes the rest', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);
    const workers = [processes.start(), processes.start()];
    // A first request completed before the stream starts: the workers are up (a worker loads the NLP and
    // embedding models at start), so the stream's length is set by the stop, not by the start-up.
    await waitForMatch(stack, key, await submitMatch(stack, key, candidateId));

    // A steady stream of requests, before, during and after the stop.
    const stream = new MatchStream(stack, key, candidateId);
    stream.start();
    const victim = await holderOfActiveMatch(stack, workers);
    const exited = once(victim, 'exit');
    victim.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    const ids = await stream.stop(stream.ids.length + 20);

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expectCompletedOnce(stack, key, ids);
    await processes.stopAll();
  });

  it('hands back a job still running when the grace period ends, for another worker to finish', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedStaleBoard(stack, key);
    const victim = processes.start({ WORKER_QUEUES: 'match', SHUTDOWN_GRACE_MS: '0' });
    const id = await submitMatch(stack, key, candidateId);
    await holderOfActiveMatch(stack, [victim]);

    const exited = once(victim, 'exit');
    victim.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    // Back in the queue (match jobs carry their client's queue priority), not stuck in active under a lock
    // that outlives the test.
    const job = await stack.services.queues.get('match').getJob(id);
    expect(await job?.getState()).toBe('prioritized');
    expect(job?.attemptsMade).toBe(0);

    processes.start({ WORKER_QUEUES: 'match' });
    await expectCompletedOnce(stack, key, [id]);
  });

  it('lets the jobs it runs finish within the grace period, and hands back the rest (in process)', async () => {
    // A queue of its own with a processor that never finishes, so the grace period surely runs out.
    const connection = { url: stack.config.redis.url };
    const prefix = stack.config.redis.queuePrefix;
    const queue = new Queue('shutdown-probe', { connection, prefix });
    const handBack = new JobHandBack(stack.services.logger);
    const stuck = new Worker(
      'shutdown-probe',
      handBack.wrap((): Promise<string> => new Promise(() => undefined)),
      {
        connection,
        prefix,
        lockDuration: 120_000,
      },
    );
    try {
      const added = await queue.add('probe', {}, { attempts: 3 });
      const id = added.id ?? '';
      await until('the probe job is active', async () => (await queue.getJobState(id)) === 'active');

      await handBack.close([stuck], 100);
      const job = await queue.getJob(id);
      expect(await job?.getState()).toBe('waiting');
      expect(job?.attemptsMade).toBe(0);

      const next = new Worker('shutdown-probe', () => Promise.resolve('done'), { connection, prefix });
      try {
        await until(
          'another worker completes the job',
          async () => (await queue.getJobState(id)) === 'completed',
        );
      } finally {
        await next.close();
      }
    } finally {
      await stuck.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

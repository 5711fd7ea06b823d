import { once } from 'node:events';

import { afterAll, describe, expect, it } from 'vitest';

import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { expectCompletedOnce, holderOfActiveMatch, MatchStream } from '../support/match-stream.js';
import { WorkerProcesses } from '../support/worker-process.js';

// A short lock, checked as often: the killed process's jobs are declared stalled and retried by the other
// two within seconds.
const stack = useTestContext({ env: { JOB_LOCK_MS: '2000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

describe('one of three worker processes killed with SIGKILL under steady load', () => {
  it('leaves no request unfinished and completes none twice', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);
    const workers = [processes.start(), processes.start(), processes.start()];

    const stream = new MatchStream(stack, key, candidateId);
    stream.start();
    // Killed while it holds a job, which only the stalled-job check can give to another worker.
    const victim = await holderOfActiveMatch(stack, workers);
    const exited = once(victim, 'exit');
    victim.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    const ids = await stream.stop(stream.ids.length + 20);

    await expectCompletedOnce(stack, key, ids);
    // Three worker processes start (each loads the sentence model) beside the rest of a parallel suite: the
    // waits above give up with their own message well before this.
  }, 180_000);
});

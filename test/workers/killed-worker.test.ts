import { once } from 'node:events';

import { afterAll, describe, expect, it } from 'vitest';

import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { waitForMatch } from '../support/polling.js';
import { WorkerProcesses } from '../support/worker-process.js';

// A short lock so a job held by a killed worker is handed to another one within seconds, not 30.
const stack = useTestContext({ env: { JOB_LOCK_MS: '2000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

describe('a worker process killed with SIGKILL mid-run', () => {
  it('loses no accepted request and completes none twice', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);

    const victim = processes.start();
    const ids: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const response = await stack.request<{ id: string }>('POST', '/v1/match-requests', {
        key,
        body: { candidateId: candidateId, topK: 5 },
      });
      expect(response.status).toBe(202);
      ids.push(response.body.id);
    }
    // Kill the only worker once it has started on the queue, then let a fresh one take over.
    await waitForMatch(stack, key, ids[0] ?? '');
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    processes.start();

    const finished = [];
    for (const id of ids) finished.push(await waitForMatch(stack, key, id));
    expect(finished.map((request) => request.status)).toEqual(ids.map(() => 'completed'));
    for (const request of finished) expect(request.results).toHaveLength(5);
    const completedEvents = await stack.services
      .db('outbox')
      .whereIn('aggregateId', ids)
      .where({ eventType: 'match.completed.v1' });
    expect(completedEvents).toHaveLength(ids.length);
  });
});

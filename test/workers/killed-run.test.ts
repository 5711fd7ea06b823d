import { once } from 'node:events';

import { afterAll, describe, expect, it } from 'vitest';

import { kubernetesGoCandidate, nurseCandidate } from '../fixtures/corpus.js';
import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { until } from '../support/until.js';
import { WorkerProcesses } from '../support/worker-process.js';

// A short lock so the run held by the killed worker is handed to another one within seconds, not 30.
const stack = useTestContext({ env: { JOB_LOCK_MS: '2000' } });
const processes = new WorkerProcesses(stack);
afterAll(() => processes.stopAll());

const CANDIDATES = 400;

interface RunBody {
  id: string;
  status: string;
  progress: { done: number; total: number | null };
}

describe('one of two worker processes killed with SIGKILL in the middle of a bulk match run', () => {
  it('resumes its lane from the last chunk written: every subject’s results and event exactly once, one end', async () => {
    const key = await stack.newClient();
    await seedBoard(stack, key);
    const people = Array.from({ length: CANDIDATES - 1 }, (_, index) =>
      index % 2 === 0
        ? { ...kubernetesGoCandidate, externalId: `go-${index}` }
        : { ...nurseCandidate, externalId: `nurse-${index}` },
    );
    expect(
      (await stack.request('POST', '/v1/candidates/batch', { key, body: { items: people } })).status,
    ).toBe(200);

    // Two workers rank the run's lanes side by side; one of them dies. A candidate limit below the board's
    // size makes them generate each subject's pool, as for a large board.
    const worker = { WORKER_QUEUES: 'match-run', MATCH_CANDIDATE_LIMIT: '10' };
    const victim = processes.start(worker);
    processes.start(worker);
    const { body: submitted } = await stack.request<RunBody>('POST', '/v1/match-runs', {
      key,
      body: { subject: 'candidates', topK: 5 },
    });
    const midway = await until('the run has written a chunk', async () => {
      const { body } = await stack.request<RunBody>('GET', `/v1/match-runs/${submitted.id}`, { key });
      return body.progress.done > 0 ? body : undefined;
    });
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    // The kill must land mid-run for this test to say anything.
    expect(midway.status).toBe('running');
    expect(midway.progress.done).toBeLessThan(CANDIDATES);
    processes.start(worker);

    const run = await until(
      'the run completed',
      async () => {
        const { body } = await stack.request<RunBody>('GET', `/v1/match-runs/${submitted.id}`, { key });
        return body.status === 'completed' ? body : undefined;
      },
      { attempts: 2400 },
    );
    expect(run.progress).toMatchObject({ done: CANDIDATES, total: CANDIDATES });
    const rows = (await stack.services.db('matchRunResults').where({ runId: run.id })) as {
      results: unknown[];
    }[];
    expect(rows).toHaveLength(CANDIDATES);
    for (const row of rows) expect(row.results).toHaveLength(5);
    const events = await stack.services
      .db('outbox')
      .where({ aggregateId: run.id, eventType: 'match-run.results.v1' })
      .select<{ subject: string }[]>(stack.services.db.raw("payload->'subject'->>'id' AS subject"));
    expect(events).toHaveLength(CANDIDATES);
    expect(new Set(events.map((event) => event.subject)).size).toBe(CANDIDATES);
    const ends = await stack.services
      .db('outbox')
      .where({ aggregateId: run.id, eventType: 'match-run.completed.v1' });
    expect(ends).toHaveLength(1);
  });
});

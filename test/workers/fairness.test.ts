import { describe, expect, it } from 'vitest';

import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { expectCompletedOnce, submitMatch } from '../support/match-stream.js';

// One match at a time, so the order requests complete in is the order the queue hands them out.
const stack = useTestContext({ env: { MATCH_CONCURRENCY: '1' } });

interface Row {
  id: string;
  queuePriority: number;
  completedAt: Date;
}

describe('match requests of several clients', () => {
  it('serve a client with a few requests before the backlog of a client with many, each in its own order', async () => {
    const busy = await stack.newClient('busy');
    const light = await stack.newClient('light');
    const { candidateId: busyCandidate } = await seedBoard(stack, busy);
    const { candidateId: lightCandidate } = await seedBoard(stack, light);

    // Queued while no worker runs: the busy client's thirty first, then the light client's three.
    const busyIds: string[] = [];
    for (let index = 0; index < 30; index += 1) busyIds.push(await submitMatch(stack, busy, busyCandidate));
    const lightIds: string[] = [];
    for (let index = 0; index < 3; index += 1) lightIds.push(await submitMatch(stack, light, lightCandidate));
    await stack.startWorkers(['features', 'match']);
    await expectCompletedOnce(stack, busy, busyIds);
    await expectCompletedOnce(stack, light, lightIds);

    const rows = (await stack.services
      .db('matchRequests')
      .whereIn('id', [...busyIds, ...lightIds])
      .orderBy('completedAt')) as Row[];
    const order = rows.map((row) => row.id);
    // Each light request is handed out beside the busy request of the same place in its client's queue.
    expect(lightIds.map((id) => order.indexOf(id)).every((position) => position < 2 * lightIds.length)).toBe(
      true,
    );
    expect(order.filter((id) => busyIds.includes(id))).toEqual(busyIds);
    const priorities = new Map(rows.map((row) => [row.id, row.queuePriority]));
    expect(busyIds.map((id) => priorities.get(id))).toEqual(busyIds.map((_, index) => index + 1));
    expect(lightIds.map((id) => priorities.get(id))).toEqual([1, 2, 3]);

    // Its queue empty again, the busy client starts again at the front.
    const next = await submitMatch(stack, busy, busyCandidate);
    await expectCompletedOnce(stack, busy, [next]);
    const row = (await stack.services.db('matchRequests').where({ id: next }).first()) as Row;
    expect(row.queuePriority).toBe(1);
  });
});

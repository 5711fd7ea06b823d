import { UnrecoverableError, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';

import { seedBoard } from '../support/board.js';
import { useTestContext } from '../support/context.js';
import { expectCompletedOnce, MatchStream, submitMatch } from '../support/match-stream.js';
import { waitForMatch } from '../support/polling.js';
import { until } from '../support/until.js';
import { registerReceiver, waitForNotifications, WebhookReceiver } from '../support/webhooks.js';

// A reconciler that runs often and trusts rows after a moment, so each repair shows within a second or two.
const stack = useTestContext({
  env: { RECONCILE_INTERVAL_MS: '300', RECONCILE_MIN_AGE_MS: '200', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' },
});

/**
 * What FLUSHALL (or a Redis restarted without persistence) does to this test's queues: every key under its
 * prefix is deleted, jobs, job schedulers and all, at one instant; FLUSHALL itself would wipe the queues of
 * every test file running alongside this one. One script, so that nothing runs in between: keys deleted
 * one by one would let a worker's script recreate half a job (a hash of a few fields, no data) that
 * neither FLUSHALL nor a restart can leave behind.
 */
const WIPE = `
local cursor = '0'
repeat
  local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do redis.call('DEL', key) end
until cursor == '0'`;

async function wipeQueues(): Promise<void> {
  await stack.services.redis.eval(WIPE, 0, `${stack.config.redis.queuePrefix}:*`);
}

async function rowsAwaitingFeatures(): Promise<number> {
  let count = 0;
  for (const table of ['jobs', 'candidates']) {
    const row = await stack.services
      .db(table)
      .whereRaw('features_revision IS DISTINCT FROM revision')
      .count({ count: '*' })
      .first();
    count += Number(row?.count);
  }
  return count;
}

describe('the reconciler', () => {
  it('re-enqueues every accepted request and features job after Redis lost them all', async () => {
    const maintenance = await stack.startWorkers(['maintenance']);
    const key = await stack.newClient();
    // Nothing takes these jobs before they are lost: features and match workers start after the wipe.
    const { candidateId } = await seedBoard(stack, key);
    const ids: string[] = [];
    for (let index = 0; index < 10; index += 1) ids.push(await submitMatch(stack, key, candidateId));

    await wipeQueues();
    expect(await stack.services.queues.get('match').count()).toBe(0);
    const workers = await stack.startWorkers(['features', 'match', 'notify']);
    try {
      await expectCompletedOnce(stack, key, ids);
      // The candidate is only ever a match's subject, whose features no match stores: its features job did.
      await until('every row has its features again', async () => (await rowsAwaitingFeatures()) === 0);
    } finally {
      await workers.close();
      await maintenance.close();
    }
  });

  it('loses no request when Redis loses everything in the middle of a steady run', async () => {
    const workers = await stack.startWorkers();
    try {
      const key = await stack.newClient();
      const { candidateId } = await seedBoard(stack, key);
      const stream = new MatchStream(stack, key, candidateId);
      stream.start();
      await waitForMatch(stack, key, await until('a request is submitted', () => stream.ids[0]));
      await wipeQueues();
      const ids = await stream.stop(stream.ids.length + 20);

      await expectCompletedOnce(stack, key, ids);
    } finally {
      await workers.close();
    }
  });

  it('re-enqueues a request whose job was removed by hand', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);
    const id = await submitMatch(stack, key, candidateId);
    expect(await stack.services.queues.get('match').remove(id)).toBe(1);

    const workers = await stack.startWorkers();
    try {
      await expectCompletedOnce(stack, key, [id]);
    } finally {
      await workers.close();
    }
  });

  it('runs again a match run whose lane jobs were removed by hand', async () => {
    const key = await stack.newClient();
    await seedBoard(stack, key);
    const run = await stack.request<{ id: string }>('POST', '/v1/match-runs', {
      key,
      body: { subject: 'candidates', topK: 2 },
    });
    for (let lane = 0; lane < stack.config.matching.runLanes; lane += 1) {
      expect(await stack.services.queues.get('match-run').remove(`${run.body.id}-${lane}`)).toBe(1);
    }

    const workers = await stack.startWorkers();
    try {
      const finished = await until('the run completed', async () => {
        const { body } = await stack.request<{ status: string; progress: { done: number } }>(
          'GET',
          `/v1/match-runs/${run.body.id}`,
          { key },
        );
        return body.status === 'completed' ? body : undefined;
      });
      expect(finished.progress.done).toBe(1);
    } finally {
      await workers.close();
    }
  });

  it('delivers a webhook notification whose notify job Redis lost', async () => {
    const key = await stack.newClient();
    const receiver = await new WebhookReceiver(() => 200).start();
    try {
      await registerReceiver(stack, key, receiver);
      const ping = await stack.request<{ id: string }>('POST', '/v1/webhook/test', { key });
      expect(await stack.services.queues.get('notify').remove(ping.body.id)).toBe(1);

      const workers = await stack.startWorkers();
      try {
        const [delivered] = await waitForNotifications(stack, key, 1);
        expect(delivered).toMatchObject({ id: ping.body.id, status: 'delivered', attempts: 1 });
        expect(receiver.received).toHaveLength(1);
      } finally {
        await workers.close();
      }
    } finally {
      await receiver.stop();
    }
  });

  it('runs again a request the record says is queued although its job completed (Postgres restored)', async () => {
    const workers = await stack.startWorkers();
    try {
      const key = await stack.newClient();
      const { candidateId } = await seedBoard(stack, key);
      const id = await submitMatch(stack, key, candidateId);
      expect((await waitForMatch(stack, key, id)).status).toBe('completed');
      // A restore from a backup taken while it was queued; the completed job (and its id) is still in Redis,
      // where a plain add with that id would do nothing.
      await stack.services.db('matchResults').where({ requestId: id }).delete();
      await stack.services
        .db('matchRequests')
        .where({ id })
        .update({ status: 'queued', completedAt: null, scorer: null });

      await until('the request has run again', async () => {
        const row = await stack.services.db('matchRequests').where({ id }).first<{ attempts: number }>();
        return row.attempts === 2;
      });
      const done = await waitForMatch(stack, key, id);
      expect(done.status).toBe('completed');
      expect(done.results).toHaveLength(5);
    } finally {
      await workers.close();
    }
  });

  it('marks failed, with its job’s reason, a request left running when its job failed for good', async () => {
    const key = await stack.newClient();
    const { candidateId } = await seedBoard(stack, key);
    const id = await submitMatch(stack, key, candidateId);
    // Its last attempt failed while Postgres was away: the job failed for good, the row still says running.
    const reason = 'gave up after 5 attempts: Connection terminated unexpectedly';
    await stack.services.db('matchRequests').where({ id }).update({ status: 'running', attempts: 5 });
    const manual = new Worker('match', null, {
      connection: { url: stack.config.redis.url },
      prefix: stack.config.redis.queuePrefix,
    });
    try {
      const token = 'test-token';
      const job = await manual.getNextJob(token);
      expect(job?.id).toBe(id);
      await job?.moveToFailed(new UnrecoverableError(reason), token);
    } finally {
      await manual.close();
    }

    const workers = await stack.startWorkers(['maintenance']);
    try {
      const done = await waitForMatch(stack, key, id);
      expect(done.status).toBe('failed');
      expect(done.error).toBe(reason);
      const failedEvents = await stack.services
        .db('outbox')
        .where({ aggregateId: id, eventType: 'match.failed.v1' });
      expect(failedEvents).toHaveLength(1);
    } finally {
      await workers.close();
    }
  });
});

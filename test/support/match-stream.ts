import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';

import { QueueEvents } from 'bullmq';
import { expect } from 'vitest';

import type { QueueName } from '../../lib/queues/registry.js';
import type { TestContext } from './context.js';
import { waitForMatch } from './polling.js';
import { until } from './until.js';

export const STREAM_TOP_K = 5;

export async function submitMatch(stack: TestContext, key: string, candidateId: string): Promise<string> {
  const response = await stack.request<{ id: string }>('POST', '/v1/match-requests', {
    key,
    body: { candidateId, topK: STREAM_TOP_K },
  });
  expect(response.status).toBe(202);
  return response.body.id;
}

/** Match requests submitted one after another, as a steady load, from start() until stop(). */
export class MatchStream {
  readonly ids: string[] = [];
  private stopping = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly stack: TestContext,
    private readonly key: string,
    private readonly candidateId: string,
  ) {}

  start(): void {
    this.running = (async () => {
      while (!this.stopping) this.ids.push(await submitMatch(this.stack, this.key, this.candidateId));
    })();
  }

  /** Stops once at least `atLeast` requests were submitted; returns their ids. */
  async stop(atLeast: number): Promise<string[]> {
    await until(`${atLeast} match requests are submitted`, () => this.ids.length >= atLeast);
    this.stopping = true;
    await this.running;
    return this.ids;
  }
}

/**
 * The worker process holding an active match job, found by the name its worker stores on each job it takes
 * (host:pid, see workers/runner.ts).
 */
export async function holderOfActiveMatch(
  stack: TestContext,
  children: ChildProcess[],
): Promise<ChildProcess> {
  const queue = stack.services.queues.get('match');
  // Polled often: a match on a small board is active for a few milliseconds between two others.
  return until(
    'a worker process is running a match job',
    async () => {
      const holders = new Set((await queue.getActive()).map((job) => job.processedBy));
      return children.find((child) => holders.has(`${hostname()}:${String(child.pid)}`));
    },
    { attempts: 12_000, intervalMs: 5 },
  );
}

/**
 * Every request completed, and once: at most topK results each (their ranks are the table's key, so none
 * is written twice) and exactly one match.completed.v1 event per request, no match.failed.v1.
 */
export async function expectCompletedOnce(stack: TestContext, key: string, ids: string[]): Promise<void> {
  const finished = [];
  for (const id of ids) finished.push(await waitForMatch(stack, key, id));
  expect(finished.map((request) => request.status)).toEqual(ids.map(() => 'completed'));
  const results = await stack.services
    .db('matchResults')
    .whereIn('requestId', ids)
    .groupBy('requestId')
    .select<{ requestId: string; count: string }[]>('requestId', stack.services.db.raw('count(*) AS count'));
  expect(results).toHaveLength(ids.length);
  for (const row of results) expect(Number(row.count)).toBeLessThanOrEqual(STREAM_TOP_K);
  const events = await stack.services
    .db('outbox')
    .whereIn('aggregateId', ids)
    .whereIn('eventType', ['match.completed.v1', 'match.failed.v1'])
    .select<{ aggregateId: string; eventType: string }[]>('aggregateId', 'eventType');
  expect(events.filter((event) => event.eventType === 'match.completed.v1')).toHaveLength(ids.length);
  expect(new Set(events.map((event) => event.aggregateId)).size).toBe(ids.length);
}

/** Ids of the queue's jobs BullMQ reports stalled from now on, until close(). */
export async function watchStalled(
  stack: TestContext,
  queue: QueueName = 'match',
): Promise<{ stalled: string[]; close: () => Promise<void> }> {
  const events = new QueueEvents(queue, {
    connection: { url: stack.config.redis.url },
    prefix: stack.config.redis.queuePrefix,
  });
  const stalled: string[] = [];
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  await events.waitUntilReady();
  return { stalled, close: () => events.close() };
}

import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

import type { Config } from '../config.js';
import { QueueUnavailableError } from '../errors.js';
import { WEBHOOK_BACKOFF } from '../notifications/backoff.js';
import { currentRequestId } from '../request-context.js';
import { queueNames, queueRegistry, type QueueName, type QueuePayloads, type TraceData } from './registry.js';

/** Where a payload's job stands in Redis, as far as recovering lost work is concerned. */
export type JobStanding =
  /** Waiting, delayed, prioritized or active: it will run (a dead worker's job is the stalled check's). */
  | { state: 'live' }
  /** No such job: Redis lost it (restarted without persistence, flushed) or someone removed it. */
  | { state: 'missing' }
  | { state: 'completed' }
  /** Failed for good, with BullMQ's failedReason. */
  | { state: 'failed'; reason: string };

export interface Queues {
  /** `priority`: 1 runs first (BullMQ's); a job without one runs before every job with one. */
  add<Name extends QueueName>(
    name: Name,
    payload: QueuePayloads[Name],
    options?: { priority?: number },
  ): Promise<void>;
  addBulk<Name extends QueueName>(name: Name, payloads: QueuePayloads[Name][]): Promise<void>;
  standing<Name extends QueueName>(name: Name, payload: QueuePayloads[Name]): Promise<JobStanding>;
  /**
   * Adds the payload's job anew. BullMQ keeps a finished job (and its id) until removeOnComplete or
   * removeOnFail drops it, and an add with a kept id does nothing, so a finished job is removed first.
   */
  readd<Name extends QueueName>(name: Name, payload: QueuePayloads[Name]): Promise<void>;
  /** Has Redis add a job with `payload` every `everyMs` (a BullMQ job scheduler; upserting it is idempotent). */
  schedule<Name extends QueueName>(
    name: Name,
    schedulerId: string,
    everyMs: number,
    payload: QueuePayloads[Name],
  ): Promise<void>;
  isScheduled(name: QueueName, schedulerId: string): Promise<boolean>;
  get(name: QueueName): Queue;
  close(): Promise<void>;
}

export function createQueues(config: Config, connection: Redis): Queues {
  const defaultJobOptions: JobsOptions = {
    attempts: config.workers.attempts,
    backoff: { type: 'exponential', delay: config.workers.backoffMs },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  // A receiver may be down for a while: webhook deliveries keep trying longer, on their own jittered schedule.
  const queueJobOptions: Partial<Record<QueueName, JobsOptions>> = {
    notify: {
      ...defaultJobOptions,
      attempts: config.webhooks.attempts,
      backoff: { type: WEBHOOK_BACKOFF, delay: config.webhooks.backoffMs },
    },
    // A failed run is not retried: the next scheduled one does the same work. A short history is kept.
    maintenance: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  };
  const queues = new Map<QueueName, Queue>(
    queueNames.map((name) => [
      name,
      new Queue(name, {
        connection,
        prefix: config.redis.queuePrefix,
        defaultJobOptions: queueJobOptions[name] ?? defaultJobOptions,
      }),
    ]),
  );
  const get = (name: QueueName): Queue => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`queue ${name} is not registered`);
    return queue;
  };
  const wrap = async (name: QueueName, operation: () => Promise<unknown>): Promise<void> => {
    try {
      await operation();
    } catch (error) {
      throw new QueueUnavailableError(name, error);
    }
  };
  // Jobs carry the id of the request that queued them, so the work they do can be traced back to it.
  const traced = <Payload extends object>(payload: Payload): Payload & TraceData => {
    const requestId = currentRequestId();
    return requestId === undefined ? payload : { ...payload, trace: { requestId } };
  };
  return {
    get,
    add: (name, payload, options = {}) =>
      wrap(name, () =>
        get(name).add(name, traced(payload), { jobId: queueRegistry[name].jobId(payload), ...options }),
      ),
    addBulk: (name, payloads) =>
      wrap(name, () =>
        get(name).addBulk(
          payloads.map((payload) => ({
            name,
            data: traced(payload),
            opts: { jobId: queueRegistry[name].jobId(payload) },
          })),
        ),
      ),
    standing: async (name, payload) => {
      const queue = get(name);
      const jobId = queueRegistry[name].jobId(payload);
      const state = await queue.getJobState(jobId);
      if (state === 'unknown') return { state: 'missing' };
      if (state === 'completed') return { state: 'completed' };
      if (state !== 'failed') return { state: 'live' };
      const job = await queue.getJob(jobId);
      return job ? { state: 'failed', reason: job.failedReason } : { state: 'missing' };
    },
    readd: async (name, payload) => {
      const queue = get(name);
      const jobId = queueRegistry[name].jobId(payload);
      // Leaves an active (locked) job alone; then the add below is the no-op it should be.
      await queue.remove(jobId);
      await queue.add(name, traced(payload), { jobId });
    },
    schedule: async (name, schedulerId, everyMs, payload) => {
      await get(name).upsertJobScheduler(schedulerId, { every: everyMs }, { name, data: payload });
    },
    isScheduled: async (name, schedulerId) => (await get(name).getJobScheduler(schedulerId)) !== undefined,
    close: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

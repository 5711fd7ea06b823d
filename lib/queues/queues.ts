import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

import type { Config } from '../config.js';
import { QueueUnavailableError } from '../errors.js';
import { WEBHOOK_BACKOFF } from '../notifications/backoff.js';
import { currentRequestId } from '../request-context.js';
import { queueNames, queueRegistry, type QueueName, type QueuePayloads, type TraceData } from './registry.js';

export interface Queues {
  add<Name extends QueueName>(name: Name, payload: QueuePayloads[Name]): Promise<void>;
  addBulk<Name extends QueueName>(name: Name, payloads: QueuePayloads[Name][]): Promise<void>;
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
    add: (name, payload) =>
      wrap(name, () => get(name).add(name, traced(payload), { jobId: queueRegistry[name].jobId(payload) })),
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
    close: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

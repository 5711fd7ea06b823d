/**
 * The queue baseline: a BullMQ worker whose processor does nothing, on NOOP_QUEUE under QUEUE_PREFIX with
 * MATCH_CONCURRENCY, on the same kind of Redis connection and lock settings as the product's workers.
 */
import { hostname } from 'node:os';

import { Worker } from 'bullmq';

import { loadConfig } from '../../lib/config.js';
import { createRedis } from '../../lib/queues/connection.js';

const config = loadConfig();
const connection = createRedis(config.redis.url, 'worker');
const worker = new Worker(process.env.NOOP_QUEUE ?? 'noop', () => Promise.resolve(), {
  connection,
  name: `${hostname()}:${process.pid}`,
  prefix: config.redis.queuePrefix,
  concurrency: config.workers.matchConcurrency,
  lockDuration: config.workers.lockMs,
  stalledInterval: config.workers.lockMs,
});
process.on('SIGTERM', () => {
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});

import type { Redis } from 'ioredis';

import { ApiKeyCache } from './api-key-cache.js';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/knex.js';
import { ReadinessProbe } from './health.js';
import type { Embedder } from './matching/features.js';
import { createLogger, type Logger } from './logger.js';
import { trackOutboxLag, trackQueueSizes, trackRetention } from './metrics.js';
import { createRedis } from './queues/connection.js';
import { createQueues, type Queues } from './queues/queues.js';

/** The long-lived connections a process shares; built once at start, closed once at shutdown. */
export interface Services {
  config: Config;
  db: Database;
  redis: Redis;
  queues: Queues;
  logger: Logger;
  readiness: ReadinessProbe;
  /** For the API; it subscribes to key changes on first use, so other processes never connect it. */
  apiKeyCache: ApiKeyCache;
  /** The sentence embedder, loaded on first use: only processes that extract features load the model. */
  embedder: () => Promise<Embedder>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Whether the process cannot work without the Kafka broker (relay, ingest): then /readyz requires it. */
  requiresKafka?: boolean;
}

export function createServices(config: Config, name: string, options: ServiceOptions = {}): Services {
  const db = createDatabase(config);
  const redis = createRedis(config.redis.url, 'producer');
  const logger = createLogger(config, name);
  redis.on('error', (error: Error) => {
    logger.warn({ err: error }, 'redis connection error');
  });
  const queues = createQueues(config, redis);
  const untrackMetrics = [trackQueueSizes(queues), trackOutboxLag(db), trackRetention(db, config.retention)];
  const readiness = new ReadinessProbe({
    db,
    redis,
    kafka:
      config.kafka.brokers.length === 0
        ? undefined
        : {
            brokers: config.kafka.brokers,
            clientId: config.kafka.clientId,
            required: options.requiresKafka ?? false,
          },
    timeoutMs: config.ops.readinessTimeoutMs,
  });
  const apiKeyCache = new ApiKeyCache({
    redisUrl: config.redis.url,
    queuePrefix: config.redis.queuePrefix,
    ...config.http.apiKeyCache,
    logger,
  });
  return {
    config,
    db,
    redis,
    queues,
    logger,
    readiness,
    apiKeyCache,
    // Imported on first use: the API never embeds, and onnxruntime's native library is large.
    embedder: async () => (await import('./matching/embedding.js')).sharedEmbedder(config),
    close: async () => {
      for (const untrack of untrackMetrics) untrack();
      apiKeyCache.close();
      await readiness.close();
      await queues.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

import type { Redis } from 'ioredis';

import type { Config } from './config.js';
import { createDatabase, type Database } from './db/knex.js';
import { createLogger, type Logger } from './logger.js';
import { createRedis } from './queues/connection.js';
import { createQueues, type Queues } from './queues/queues.js';

/** The long-lived connections a process shares; built once at start, closed once at shutdown. */
export interface Services {
  config: Config;
  db: Database;
  redis: Redis;
  queues: Queues;
  logger: Logger;
  close(): Promise<void>;
}

export function createServices(config: Config, name: string): Services {
  const db = createDatabase(config);
  const redis = createRedis(config.redis.url, 'producer');
  const logger = createLogger(config, name);
  redis.on('error', (error: Error) => {
    logger.warn({ err: error }, 'redis connection error');
  });
  const queues = createQueues(config, redis);
  return {
    config,
    db,
    redis,
    queues,
    logger,
    close: async () => {
      await queues.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

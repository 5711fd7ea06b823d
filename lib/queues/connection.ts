import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers fail fast: with no offline queue a command against a dead Redis rejects at once, so the API
 * can answer 503 instead of hanging. Workers wait forever (maxRetriesPerRequest null), as BullMQ requires.
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const options: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 5000) };
  return new Redis(url, { ...options, lazyConnect: false });
}

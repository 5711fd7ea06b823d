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

/** Resolves once the connection is ready; rejects after `timeoutMs` with the last connection error. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError: Error | undefined;
  const onError = (error: Error): void => {
    lastError = error;
  };
  redis.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`Redis not ready after ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`),
        );
      }, timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    redis.off('error', onError);
  }
}

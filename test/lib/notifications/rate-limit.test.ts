import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../../lib/config.js';
import { DeliveryRateLimiter } from '../../../lib/notifications/rate-limit.js';

const redis = new Redis(loadConfig().redis.url);
const prefix = `test-${randomBytes(5).toString('hex')}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('DeliveryRateLimiter', () => {
  it('lets each client deliver up to its limit per window, then says how long to wait', async () => {
    // A long window, so the test cannot straddle two of them.
    const windowMs = 60_000;
    const limiter = new DeliveryRateLimiter(redis, prefix, { max: 3, windowMs }, () => 0);
    const waits = [];
    for (let take = 0; take < 5; take += 1) waits.push(await limiter.take('client-a'));

    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    for (const wait of waits.slice(3)) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(windowMs);
    }
    expect(await limiter.take('client-b')).toBe(0);
  });

  it('lets the counts expire', async () => {
    const limiter = new DeliveryRateLimiter(redis, prefix, { max: 1, windowMs: 60_000 });
    await limiter.take('client-c');
    const [key] = await redis.keys(`${prefix}:webhook-rate:client-c:*`);
    expect(await redis.pttl(key ?? '')).toBeGreaterThan(0);
  });
});

import type { Redis } from 'ioredis';

export interface RateLimit {
  max: number;
  windowMs: number;
}

/**
 * At most `max` deliveries per client per window, counted in Redis so every worker process shares the count.
 * Open-source BullMQ only rate-limits a whole queue (per-group limits are a BullMQ Pro feature), which would
 * let one client's burst hold up everyone's webhooks; this limits each client on its own.
 */
export class DeliveryRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly limit: RateLimit,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Takes a delivery slot for the client: 0 when it may deliver now, else how many ms to wait. The wait runs
   * past the window's end by a random part of a window, so the jobs held back do not all return at once.
   */
  async take(clientId: string): Promise<number> {
    const { max, windowMs } = this.limit;
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const key = `${this.keyPrefix}:webhook-rate:${clientId}:${window}`;
    const results = await this.redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs * 2)
      .exec();
    const [error, count] = results?.[0] ?? [new Error('Redis did not run the rate-limit transaction'), 0];
    if (error) throw error;
    if (Number(count) <= max) return 0;
    return (window + 1) * windowMs - now + Math.floor(this.random() * windowMs);
  }
}

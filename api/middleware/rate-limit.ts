import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import { RateLimitedError } from '../../lib/errors.js';
import type { AppState } from '../state.js';

export interface RateLimitOptions {
  /** Requests one API key may make per window. */
  points: number;
  windowSeconds: number;
  keyPrefix: string;
}

/**
 * Per-key rate limiting, shared by every API replica through Redis (a fixed window per key). Each answer
 * carries the IETF RateLimit-Policy and RateLimit headers; a refusal is a 429 with Retry-After. While Redis
 * is away each replica counts in memory instead, so a Redis outage neither opens the gates nor fails reads.
 */
export function rateLimit(redis: Redis, options: RateLimitOptions): Middleware<AppState> {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${options.keyPrefix}:ratelimit`,
    points: options.points,
    duration: options.windowSeconds,
    insuranceLimiter: new RateLimiterMemory({ points: options.points, duration: options.windowSeconds }),
  });
  const policy = `"per-key";q=${options.points};w=${options.windowSeconds}`;
  const headers = (result: RateLimiterRes): Record<string, string> => ({
    'RateLimit-Policy': policy,
    RateLimit: `"per-key";r=${Math.max(0, result.remainingPoints)};t=${Math.ceil(result.msBeforeNext / 1000)}`,
  });
  return async (ctx, next) => {
    let result: RateLimiterRes;
    try {
      result = await limiter.consume(ctx.state.apiKey.id);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new RateLimitedError(
        `Too many requests for API key ${ctx.state.apiKey.prefix}: at most ${options.points} per ${options.windowSeconds} s.`,
        {
          ...headers(rejection),
          'Retry-After': String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))),
        },
      );
    }
    ctx.set(headers(result));
    await next();
  };
}

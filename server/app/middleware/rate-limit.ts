import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';

export interface RateLimitOptions {
  /** Sustained requests per second per token; 0 turns the limit off. */
  perSecond: number;
  /** Requests a token may make at once after being idle. */
  burst: number;
}

/**
 * A token bucket per bearer token, in memory: deliberate 429s with Retry-After once a client exceeds its
 * rate. Buckets refill continuously; a full bucket is indistinguishable from a missing one, so idle
 * buckets are dropped and the map stays as small as the set of active tokens.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = Date.now();
  return async (c, next) => {
    if (options.perSecond <= 0) return next();
    const now = Date.now();
    const key = c.get('tokenId');
    const bucket = buckets.get(key) ?? { tokens: options.burst, at: now };
    bucket.tokens = Math.min(options.burst, bucket.tokens + ((now - bucket.at) / 1000) * options.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      const wait = Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond));
      throw new ApiError(429, 'rate_limited', `too many requests: over ${options.perSecond}/s for this token; retry after ${wait} s`, undefined, {
        'Retry-After': String(wait),
      });
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (now - lastSweep > 60_000) {
      lastSweep = now;
      const full = options.burst / options.perSecond;
      for (const [k, b] of buckets) if ((now - b.at) / 1000 > full) buckets.delete(k);
    }
    await next();
  };
}

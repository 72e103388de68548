import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';
import { TokenBuckets } from '../../http/token-buckets.ts';

export interface RateLimitOptions {
  /** Sustained requests per second per token; 0 turns the limit off. */
  perSecond: number;
  /** Requests a token may make at once after being idle. */
  burst: number;
}

/** Deliberate 429s with Retry-After once a token exceeds its rate (one bucket per bearer token). */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = new TokenBuckets(options.perSecond, options.burst);
  return async (c, next) => {
    if (options.perSecond <= 0) return next();
    const wait = buckets.take(c.get('tokenId'));
    if (wait > 0) {
      throw new ApiError(429, 'rate_limited', `too many requests: over ${options.perSecond}/s for this token; retry after ${wait} s`, undefined, {
        'Retry-After': String(wait),
      });
    }
    await next();
  };
}

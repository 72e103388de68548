import { ApiError } from '../http/errors.ts';

/**
 * Counts open long-lived responses (event streams) per token and in all, so no client can hold an
 * unbounded number of sockets and subscriptions: past either cap a new stream is refused with 429 and
 * Retry-After, and a slot frees the moment a stream ends.
 */
export class StreamLimiter {
  private total = 0;
  private readonly byToken = new Map<string, number>();

  constructor(
    readonly maxTotal: number,
    readonly maxPerToken: number,
    /** Seconds a refused client is told to wait: streams are long, so not a tight loop. */
    private readonly retryAfterS = 5,
  ) {}

  /** Takes a slot for `tokenId`; returns the function that gives it back (safe to call twice). */
  acquire(tokenId: string): () => void {
    const mine = this.byToken.get(tokenId) ?? 0;
    const refuse = (why: string) =>
      new ApiError(429, 'too_many_streams', `${why}; close one (an EventSource, a streamed rewrite) or retry after ${this.retryAfterS} s`, undefined, {
        'Retry-After': String(this.retryAfterS),
      });
    if (mine >= this.maxPerToken) throw refuse(`this token already has ${mine} open event streams (--max-streams-per-token ${this.maxPerToken})`);
    if (this.total >= this.maxTotal) throw refuse(`the server has ${this.total} open event streams (--max-streams ${this.maxTotal})`);
    this.total++;
    this.byToken.set(tokenId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byToken.get(tokenId) ?? 1) - 1;
      if (left > 0) this.byToken.set(tokenId, left);
      else this.byToken.delete(tokenId);
    };
  }

  open(): number {
    return this.total;
  }
}

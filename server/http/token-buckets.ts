/**
 * Token buckets by key, in memory: each key may spend `burst` at once, refilled continuously at
 * `perSecond`. A full bucket is indistinguishable from a missing one, so idle buckets are dropped and the
 * map stays as small as the set of active keys.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** Spends one token for `key`: 0 when it could, else the whole seconds until one is back. */
  take(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
    bucket.tokens -= 1;
    if (now - this.lastSweep > 60_000) {
      this.lastSweep = now;
      const full = this.burst / this.perSecond;
      for (const [k, b] of this.buckets) if ((now - b.at) / 1000 > full) this.buckets.delete(k);
    }
    return 0;
  }
}

import { canonicalJson, ImageCache } from './image-cache.ts';
import { MODEL_NAMES } from './presets.ts';
import { resolveRequest } from './resolve-request.ts';
import { EngineError, type EngineImage, type GenerationRequest, type ImageEngine, type ResolvedRequest } from './types.ts';
import { InputError } from '../../shared/errors.ts';

export interface EngineSlot {
  engine: ImageEngine;
  /** Images this engine (URL) works on at once; 1 suits one GPU behind ComfyUI or A1111. */
  concurrency: number;
}

export interface PoolOptions {
  /** Without one, every request reaches an engine (identical in-flight requests still share one). */
  cache?: ImageCache;
  /** Extra attempts after a retryable failure, each on the least busy other engine if there is one (default 3). */
  retries?: number;
  /** First backoff; doubles per attempt with ±50% jitter, capped at maxBackoffMs (default 1000 / 30000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  onEvent?: (event: PoolEvent) => void;
}

export type PoolEvent =
  | { type: 'cache-hit'; key: string }
  | { type: 'generated'; key: string; url: string; ms: number }
  | { type: 'retry'; key: string; url: string; attempt: number; error: string; waitMs: number };

export interface GenerationResult extends EngineImage {
  key: string;
  request: ResolvedRequest;
  /** The cached file, when the pool has a cache. */
  path?: string;
  cached: boolean;
  /** The engine URL that made it (absent for cache hits). */
  url?: string;
  attempts: number;
}

export interface PoolStats {
  requests: number;
  cacheHits: number;
  generated: number;
  retries: number;
  failures: number;
  perEngine: Record<string, { generated: number; failed: number }>;
}

interface Slot extends EngineSlot {
  active: number;
  started: number;
  generated: number;
  failed: number;
}

/**
 * Spreads image requests over several engine URLs of one kind (GPUs, machines), at most `concurrency`
 * at a time on each, retries retryable failures on another engine with backoff, and answers repeats
 * from the content-addressed cache so nothing is generated twice.
 */
export class EnginePool {
  private readonly slots: Slot[];
  private readonly waiters: (() => void)[] = [];
  private readonly inFlight = new Map<string, Promise<GenerationResult>>();
  readonly stats: PoolStats = { requests: 0, cacheHits: 0, generated: 0, retries: 0, failures: 0, perEngine: {} };

  constructor(engines: EngineSlot[], private readonly options: PoolOptions = {}) {
    if (engines.length === 0) throw new InputError('an engine pool needs at least one engine URL');
    for (const e of engines) {
      if (!(Number.isInteger(e.concurrency) && e.concurrency >= 1)) throw new InputError(`concurrency of ${e.engine.url} must be a whole number ≥ 1`);
    }
    // One cache key per request only makes sense if every engine would draw the same picture.
    const first = engines[0]!.engine;
    for (const { engine } of engines.slice(1)) {
      const same = engine.kind === first.kind && MODEL_NAMES.every((m) => canonicalJson(engine.identity(m)) === canonicalJson(first.identity(m)));
      if (!same) throw new InputError(`engines of one pool must be the same kind with the same settings; ${engine.url} differs from ${first.url}`);
    }
    this.slots = engines.map((e) => ({ ...e, active: 0, started: 0, generated: 0, failed: 0 }));
    for (const s of this.slots) this.stats.perEngine[s.engine.url] = { generated: 0, failed: 0 };
  }

  get kind(): string {
    return this.slots[0]!.engine.kind;
  }

  /** The cache key a request has in this pool. */
  keyOf(request: GenerationRequest): string {
    const r = resolveRequest(request);
    return ImageCache.key(this.kind, this.slots[0]!.engine.identity(r.model), r);
  }

  async generate(request: GenerationRequest, signal?: AbortSignal): Promise<GenerationResult> {
    const r = resolveRequest(request);
    const key = ImageCache.key(this.kind, this.slots[0]!.engine.identity(r.model), r);
    this.stats.requests++;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.produce(key, r, signal).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  /** Every request, in order; the first failure rejects (after the others settle). */
  async generateAll(requests: GenerationRequest[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<GenerationResult[]> {
    let done = 0;
    const settled = await Promise.allSettled(
      requests.map((q) =>
        this.generate(q, signal).then((res) => {
          onProgress?.(++done, requests.length);
          return res;
        }),
      ),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return settled.map((s) => (s as PromiseFulfilledResult<GenerationResult>).value);
  }

  private async produce(key: string, r: ResolvedRequest, signal?: AbortSignal): Promise<GenerationResult> {
    const hit = await this.options.cache?.get(key);
    if (hit) {
      this.stats.cacheHits++;
      this.options.onEvent?.({ type: 'cache-hit', key });
      return { ...hit, key, request: r, cached: true, attempts: 0 };
    }
    const retries = this.options.retries ?? 3;
    let avoid: Slot | undefined;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const slot = await this.acquire(avoid);
      const started = Date.now();
      let image: EngineImage | undefined;
      let failure: EngineError | undefined;
      try {
        image = await slot.engine.generate(r, signal);
      } catch (err) {
        failure = err instanceof EngineError ? err : new EngineError(`${slot.engine.url}: ${(err as Error).message}`, !signal?.aborted);
      } finally {
        // Freed before any backoff: other requests may use this engine meanwhile.
        this.release(slot);
      }
      if (failure) {
        slot.failed++;
        this.stats.perEngine[slot.engine.url]!.failed++;
        if (!failure.retryable || attempt > retries || signal?.aborted) {
          this.stats.failures++;
          throw new EngineError(`${failure.message}${attempt > 1 ? ` (gave up after ${attempt} attempts)` : ''}`, false, failure.status);
        }
        this.stats.retries++;
        avoid = slot;
        const waitMs = this.backoff(attempt);
        this.options.onEvent?.({ type: 'retry', key, url: slot.engine.url, attempt, error: failure.message, waitMs });
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      slot.generated++;
      this.stats.generated++;
      this.stats.perEngine[slot.engine.url]!.generated++;
      this.options.onEvent?.({ type: 'generated', key, url: slot.engine.url, ms: Date.now() - started });
      const stored = this.options.cache ? await this.options.cache.put(key, image!, { engine: slot.engine.kind, url: slot.engine.url, request: r }) : undefined;
      return { ...image!, key, request: r, path: stored?.path, cached: false, url: slot.engine.url, attempts: attempt };
    }
  }

  /**
   * The free engine with the lowest load (active / concurrency), then the fewest images started (so work
   * spreads evenly); after a failure, any other engine is preferred to the one that failed.
   */
  private async acquire(avoid?: Slot): Promise<Slot> {
    for (;;) {
      const free = this.slots.filter((s) => s.active < s.concurrency);
      if (free.length) {
        const others = avoid ? free.filter((s) => s !== avoid) : free;
        const pool = others.length ? others : free;
        const pick = pool.reduce((a, b) => {
          const la = a.active / a.concurrency;
          const lb = b.active / b.concurrency;
          return lb < la || (lb === la && b.started < a.started) ? b : a;
        });
        pick.active++;
        pick.started++;
        return pick;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(slot: Slot): void {
    slot.active--;
    this.waiters.shift()?.();
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffMs ?? 1000;
    const capped = Math.min(this.options.maxBackoffMs ?? 30_000, base * 2 ** (attempt - 1));
    return Math.round(capped * (0.5 + Math.random()));
  }
}

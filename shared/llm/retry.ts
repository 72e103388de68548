/**
 * The retry policy of every LLM call: exponential backoff with full jitter, or the server's own
 * `Retry-After` when it sends one. Written here rather than left to the SDK (whose maxRetries is 0) so the
 * timing is ours, documented, and testable with fake timers: every wait goes through `setTimeout`.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (so maxRetries + 1 requests at most). */
  maxRetries: number;
  /** Backoff ceiling of the first retry; doubles each retry. */
  baseDelayMs: number;
  /** Ceiling of any computed backoff. */
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this; longer asks are cut to it. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/**
 * "Full jitter" backoff: a uniform draw in [0, min(maxDelay, base · 2^retry)). Spreading retries over the
 * whole window keeps many clients that failed together from retrying together. `retry` counts from 0.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` value in milliseconds: delta-seconds ("2", "0.5") or an HTTP date. Undefined when absent
 * or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date always names its day or month; without letters Date.parse would read "-1" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** What the caller learned from one failed attempt. */
export interface AttemptFailure {
  retryable: boolean;
  /** The server's `Retry-After` header, when it sent one. */
  retryAfter?: string | null;
  /** The server's `retry-after-ms` header (OpenAI's finer-grained variant), when it sent one. */
  retryAfterMs?: string | null;
}

/** How long to wait before retry number `retry` (0-based): the server's ask (capped), else jittered backoff. */
export function retryDelay(
  retry: number,
  failure: AttemptFailure,
  policy: RetryPolicy,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  const ms = failure.retryAfterMs != null && /^\d+(\.\d+)?$/.test(failure.retryAfterMs.trim())
    ? Number(failure.retryAfterMs)
    : parseRetryAfter(failure.retryAfter, now);
  if (ms !== undefined) return Math.min(ms, policy.maxRetryAfterMs);
  return backoffDelay(retry, policy, random);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Decides whether a thrown error is worth another attempt. */
  classify: (error: unknown) => AttemptFailure;
  signal?: AbortSignal;
  random?: () => number;
  /** Told before each wait; for progress lines and tests. */
  onRetry?: (info: { retry: number; delayMs: number; error: unknown }) => void;
}

/**
 * Runs `attempt(n)` until it succeeds, a failure is not retryable, or the retries are spent; then rethrows
 * the last error unchanged (the caller maps it to a typed error, knowing how many attempts were made).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, classify, signal } = options;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const failure = classify(error);
      if (!failure.retryable || n >= policy.maxRetries || signal?.aborted) throw error;
      const delayMs = retryDelay(n, failure, policy, options.random);
      options.onRetry?.({ retry: n + 1, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDelay,
  sleep,
  withRetries,
  type RetryPolicy,
} from '../../shared/llm/retry.ts';

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('backoffDelay (full jitter)', () => {
  it('draws uniformly below min(max, base * 2^retry)', () => {
    expect([0, 1, 2, 3, 4].map((r) => backoffDelay(r, policy, () => 0.5))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelay(2, policy, () => 0)).toBe(0);
    expect(backoffDelay(2, policy, () => 0.999)).toBe(399);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds, fractional seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 0.25 ', now)).toBe(250);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3_000);
  });
  it('gives 0 for a past date and undefined for nothing or garbage', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('prefers retry-after-ms, then Retry-After, capped; else jittered backoff', () => {
    expect(retryDelay(0, { retryable: true, retryAfterMs: '120', retryAfter: '9' }, policy)).toBe(120);
    expect(retryDelay(0, { retryable: true, retryAfter: '3' }, policy)).toBe(3_000);
    expect(retryDelay(0, { retryable: true, retryAfter: '3600' }, policy)).toBe(5_000);
    expect(retryDelay(1, { retryable: true }, policy, () => 0.5)).toBe(100);
    expect(DEFAULT_RETRY_POLICY.maxRetryAfterMs).toBe(60_000);
  });
});

describe('withRetries with fake timers', () => {
  afterEach(() => void vi.useRealTimers());

  class Flaky extends Error {
    constructor(readonly retryAfter?: string) {
      super('flaky');
    }
  }
  const classify = (e: unknown) =>
    e instanceof Flaky ? { retryable: true, retryAfter: e.retryAfter ?? null } : { retryable: false };

  it('waits 50, 100, 200 ms between attempts and then succeeds', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const waits: number[] = [];
    const done = withRetries(
      async () => {
        calls++;
        if (calls < 4) throw new Flaky();
        return 'ok';
      },
      { policy, classify, random: () => 0.5, onRetry: (i) => waits.push(i.delayMs) },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(199);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toBe('ok');
    expect(calls).toBe(4);
    expect(waits).toEqual([50, 100, 200]);
  });

  it("honours the server's Retry-After instead of the backoff", async () => {
    vi.useFakeTimers();
    let calls = 0;
    const done = withRetries(
      async () => {
        if (++calls === 1) throw new Flaky('2');
        return calls;
      },
      { policy, classify, random: () => 0.5 },
    );
    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toBe(2);
  });

  it('rethrows the last error after maxRetries retries, and at once for a non-retryable one', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const failing = withRetries(async () => {
      calls++;
      throw new Flaky('1');
    }, { policy, classify });
    const expectation = expect(failing).rejects.toBeInstanceOf(Flaky);
    await vi.advanceTimersByTimeAsync(3_000);
    await expectation;
    expect(calls).toBe(4);

    let once = 0;
    await expect(
      withRetries(async () => {
        once++;
        throw new TypeError('bug');
      }, { policy, classify }),
    ).rejects.toBeInstanceOf(TypeError);
    expect(once).toBe(1);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let calls = 0;
    const done = withRetries(async () => {
      calls++;
      throw new Flaky('10');
    }, { policy, classify, signal: controller.signal });
    const expectation = expect(done).rejects.toThrow('user cancelled');
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(new Error('user cancelled'));
    await expectation;
    expect(calls).toBe(1);
  });
});

describe('sleep', () => {
  it('rejects at once on an already-aborted signal', async () => {
    await expect(sleep(10_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

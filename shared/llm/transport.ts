import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { LlmSettings, type LlmSettingsInput, type Usage } from '../schemas/llm.ts';
import {
  LlmAbortedError,
  LlmAuthError,
  LlmBadRequestError,
  LlmBadResponseError,
  LlmConfigError,
  LlmError,
  LlmRateLimitedError,
  LlmServerError,
  LlmTimeoutError,
  LlmUnknownModelError,
  LlmUnreachableError,
  oneLine,
} from './errors.ts';
import { DEFAULT_OPENAI_BASE_URL } from './settings.ts';
import { DEFAULT_RETRY_POLICY, withRetries, type AttemptFailure, type RetryPolicy } from './retry.ts';

/**
 * What chat and embeddings share: one `openai` SDK instance (its own retries off), our retry policy,
 * a per-attempt timeout we own, and the mapping of every failure to one typed LlmError.
 */

/** Knobs for tests and embedders; settings cover everything a user configures. */
export interface TransportOptions {
  retry?: Partial<RetryPolicy>;
  /** Uniform [0, 1) source for the backoff jitter. */
  random?: () => number;
  /** Told before each retry wait (progress lines, tests). */
  onRetry?: (info: { retry: number; delayMs: number; error: unknown }) => void;
  /** A fetch implementation, e.g. the extension's or one with a proxy. */
  fetch?: typeof fetch;
}

/** Placeholder key for local servers that need none: the SDK refuses to start without one. */
const NO_KEY = 'not-needed';

/**
 * The timer of one attempt. Ours rather than the SDK's because the SDK's stops at the response headers:
 * a server that sends headers and then stalls (mid-body or mid-stream) would otherwise hang for ever.
 * `touch()` re-arms it, which makes it an idle timeout for streams.
 */
export interface AttemptScope {
  signal: AbortSignal;
  readonly timedOut: boolean;
  touch(): void;
  done(): void;
}

export function attemptScope(userSignal: AbortSignal | undefined, timeoutMs: number): AttemptScope {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
  };
  const onAbort = () => controller.abort(userSignal!.reason);
  if (userSignal?.aborted) controller.abort(userSignal.reason);
  else userSignal?.addEventListener('abort', onAbort, { once: true });
  arm();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    touch: arm,
    done: () => {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onAbort);
    },
  };
}

const isRetryableStatus = (status: number | undefined) => status === 429 || (status !== undefined && status >= 500);

function headerOf(error: APIError, name: string): string | null {
  const h = error.headers as Headers | undefined;
  return h?.get?.(name) ?? null;
}

/** Which failures get another attempt: 429, 5xx and network errors. Timeouts and cancels do not. */
export function classify(error: unknown): AttemptFailure {
  if (error instanceof LlmError) return { retryable: false };
  if (error instanceof APIUserAbortError || error instanceof APIConnectionTimeoutError) return { retryable: false };
  if (error instanceof APIConnectionError) return { retryable: true };
  if (error instanceof APIError && isRetryableStatus(error.status)) {
    return { retryable: true, retryAfter: headerOf(error, 'retry-after'), retryAfterMs: headerOf(error, 'retry-after-ms') };
  }
  return { retryable: false };
}

export interface Transport {
  readonly settings: LlmSettings;
  readonly baseUrl: string;
  readonly sdk: OpenAI;
  /**
   * Runs `request` with retries; each attempt gets a fresh AttemptScope (signal + timeout) and counts one
   * request in `usage`. A request that returns a stream keeps its scope: the caller ends it via `keep`.
   * Throws only LlmError, with `usage` set.
   */
  call<T>(
    request: (scope: AttemptScope) => Promise<T>,
    options: { signal?: AbortSignal; timeoutMs?: number; usage: Usage; keepScope?: boolean },
  ): Promise<{ value: T; scope: AttemptScope }>;
  /** Maps a failure (SDK error, abort, timeout) to the LlmError the callers throw. */
  toLlmError(error: unknown, ctx: { scope?: AttemptScope; signal?: AbortSignal; attempts: number; usage: Usage; timeoutMs: number }): Promise<LlmError>;
}

export function createTransport(input: LlmSettingsInput, options: TransportOptions = {}): Transport {
  const parsed = LlmSettings.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LlmConfigError(`LLM settings ${String(issue.path[0] ?? '')}: ${issue.message}`);
  }
  const settings = parsed.data;
  const baseUrl = settings.baseUrl ?? DEFAULT_OPENAI_BASE_URL;
  const sdk = new OpenAI({
    apiKey: settings.apiKey ?? NO_KEY,
    baseURL: baseUrl,
    maxRetries: 0,
    // Our AttemptScope fires first; the SDK's own timer is only a backstop.
    timeout: settings.timeoutMs + 5_000,
    dangerouslyAllowBrowser: true,
    // Failures reach the caller as typed errors; the SDK's own console logging would only add noise.
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxRetries: settings.maxRetries, ...options.retry };

  async function listModels(): Promise<string[]> {
    try {
      const page = await sdk.models.list({ timeout: Math.min(settings.timeoutMs, 5_000) });
      return page.data.map((m) => m.id);
    } catch {
      return [];
    }
  }

  async function toLlmError(
    error: unknown,
    ctx: { scope?: AttemptScope; signal?: AbortSignal; attempts: number; usage: Usage; timeoutMs: number },
  ): Promise<LlmError> {
    const opts = { cause: error, usage: ctx.usage };
    if (error instanceof LlmError) {
      error.usage = ctx.usage;
      return error;
    }
    if (ctx.scope?.timedOut) return new LlmTimeoutError(ctx.timeoutMs, opts);
    if (ctx.signal?.aborted || error instanceof APIUserAbortError) return new LlmAbortedError(opts);
    if (error instanceof APIConnectionTimeoutError) return new LlmTimeoutError(ctx.timeoutMs, opts);
    if (error instanceof APIConnectionError) return new LlmUnreachableError(baseUrl, opts);
    if (error instanceof APIError && error.status !== undefined) {
      const status = error.status;
      if (status === 401 || status === 403) return new LlmAuthError(baseUrl, opts);
      if (status === 404) {
        const aboutModel = error.code === 'model_not_found' || /model/i.test(error.message);
        if (aboutModel) return new LlmUnknownModelError(settings.model, baseUrl, await listModels(), opts);
        return new LlmBadResponseError(baseUrl, 'HTTP 404, no OpenAI API at this path', opts);
      }
      if (status === 429) return new LlmRateLimitedError(ctx.attempts, opts);
      if (status >= 500) return new LlmServerError(status, ctx.attempts, opts);
      return new LlmBadRequestError(status, error.message, opts);
    }
    // An error event inside an SSE stream (e.g. the context overflowed mid-answer) has no HTTP status.
    if (error instanceof APIError) {
      return new LlmError('server-error', `the LLM endpoint reported an error while answering (${oneLine(error.message)}): retry, or check the server's logs`, opts);
    }
    // The SDK parses JSON bodies and SSE chunks with JSON.parse and lets its SyntaxError through.
    if (error instanceof SyntaxError) return new LlmBadResponseError(baseUrl, 'invalid JSON', opts);
    throw error;
  }

  async function call<T>(
    request: (scope: AttemptScope) => Promise<T>,
    opts: { signal?: AbortSignal; timeoutMs?: number; usage: Usage; keepScope?: boolean },
  ): Promise<{ value: T; scope: AttemptScope }> {
    const timeoutMs = opts.timeoutMs ?? settings.timeoutMs;
    let attempts = 0;
    let scope: AttemptScope | undefined;
    try {
      return await withRetries(
        async () => {
          attempts++;
          opts.usage.requests++;
          scope?.done();
          scope = attemptScope(opts.signal, timeoutMs);
          try {
            const value = await request(scope);
            if (!opts.keepScope) scope.done();
            return { value, scope };
          } catch (error) {
            // Timeouts and cancels are final: turn them into typed errors before the retry loop sees them.
            if (scope.timedOut || opts.signal?.aborted || error instanceof APIUserAbortError) {
              throw await toLlmError(error, { scope, signal: opts.signal, attempts, usage: opts.usage, timeoutMs });
            }
            throw error;
          }
        },
        { policy, classify, ...(opts.signal ? { signal: opts.signal } : {}), ...(options.random ? { random: options.random } : {}), ...(options.onRetry ? { onRetry: options.onRetry } : {}) },
      );
    } catch (error) {
      scope?.done();
      throw await toLlmError(error, { signal: opts.signal, attempts, usage: opts.usage, timeoutMs });
    }
  }

  return { settings, baseUrl, sdk, call, toLlmError };
}


import type { Usage } from '../schemas/llm.ts';
import { KnownError, type ErrorKind } from '../errors.ts';

/**
 * Typed LLM failures. Each message is ONE line that says what went wrong and what to do about it, so the
 * CLI, the server and the extension can show it as is. `usage` carries what the failed attempts cost.
 */
export type LlmErrorCode =
  | 'unreachable'
  | 'bad-key'
  | 'unknown-model'
  | 'rate-limited'
  | 'server-error'
  | 'timeout'
  | 'empty-answer'
  | 'bad-response'
  | 'bad-request'
  | 'aborted'
  | 'config';

export class LlmError extends KnownError {
  declare readonly code: LlmErrorCode;
  usage?: Usage;
  constructor(code: LlmErrorCode, message: string, options?: { cause?: unknown; usage?: Usage }) {
    super(message, { code, ...(options?.cause === undefined ? {} : { cause: options.cause }) });
    if (options?.usage) this.usage = options.usage;
  }

  /** No LLM set, a key it rejects or a model it does not serve: the operator's configuration to fix. */
  get kind(): ErrorKind {
    switch (this.code) {
      case 'config':
      case 'bad-key':
      case 'unknown-model':
        return 'config';
      case 'timeout':
        return 'timeout';
      case 'aborted':
        return 'cancelled';
      case 'empty-answer':
        return 'generation';
      default:
        return 'upstream';
    }
  }

  /** The code API clients see (the server's error vocabulary), by kind. */
  override get apiCode(): string {
    switch (this.kind) {
      case 'config':
        return 'llm_not_configured';
      case 'timeout':
        return 'llm_timeout';
      case 'cancelled':
        return 'timeout';
      default:
        return 'llm_error';
    }
  }
}

type Opts = { cause?: unknown; usage?: Usage };

export class LlmUnreachableError extends LlmError {
  constructor(readonly baseUrl: string, options?: Opts) {
    super(
      'unreachable',
      `cannot reach the LLM endpoint at ${baseUrl}: check that the server is running and the URL (ZIPP_LLM_BASE_URL) is right`,
      options,
    );
  }
}

export class LlmAuthError extends LlmError {
  constructor(readonly baseUrl: string, options?: Opts) {
    super('bad-key', `the LLM endpoint ${baseUrl} rejected the API key (401): set a valid key in ZIPP_LLM_API_KEY`, options);
  }
}

export class LlmUnknownModelError extends LlmError {
  constructor(
    readonly model: string,
    readonly baseUrl: string,
    /** Models the endpoint lists, when it could tell. */
    readonly available: string[] = [],
    options?: Opts,
  ) {
    const hint = available.length
      ? `set ZIPP_LLM_MODEL to one it serves: ${available.slice(0, 5).join(', ')}${available.length > 5 ? ', …' : ''}`
      : `list its models (GET ${baseUrl.replace(/\/$/, '')}/models) and set ZIPP_LLM_MODEL to one of them`;
    super('unknown-model', `the LLM endpoint ${baseUrl} does not know the model "${model}" (404): ${hint}`, options);
  }
}

export class LlmRateLimitedError extends LlmError {
  constructor(readonly attempts: number, options?: Opts) {
    super(
      'rate-limited',
      `the LLM endpoint is still rate-limiting (429) after ${attempts} attempts: wait a minute and retry, or lower the request rate`,
      options,
    );
  }
}

export class LlmServerError extends LlmError {
  constructor(readonly status: number, readonly attempts: number, options?: Opts) {
    super(
      'server-error',
      `the LLM endpoint keeps failing (HTTP ${status}) after ${attempts} attempts: check the server's logs, or retry later`,
      options,
    );
  }
}

export class LlmTimeoutError extends LlmError {
  constructor(readonly timeoutMs: number, options?: Opts) {
    super(
      'timeout',
      `the LLM did not answer within ${timeoutMs} ms: raise the timeout, or use a smaller or less busy model`,
      options,
    );
  }
}

export class LlmEmptyAnswerError extends LlmError {
  constructor(readonly model: string, options?: Opts) {
    super('empty-answer', `the model "${model}" returned an empty answer: retry, or try another model`, options);
  }
}

export class LlmBadResponseError extends LlmError {
  constructor(readonly baseUrl: string, detail: string, options?: Opts) {
    super(
      'bad-response',
      `the LLM endpoint ${baseUrl} sent a response that is not valid OpenAI JSON (${detail}): check that the URL points at an OpenAI-compatible /v1 API`,
      options,
    );
  }
}

export class LlmBadRequestError extends LlmError {
  constructor(readonly status: number, detail: string, options?: Opts) {
    super('bad-request', `the LLM endpoint refused the request (HTTP ${status}: ${oneLine(detail)}): check the model's limits and settings`, options);
  }
}

export class LlmAbortedError extends LlmError {
  constructor(options?: Opts) {
    super('aborted', 'the LLM request was cancelled', options);
  }
}

/** A setting (environment variable, options page field) is present but invalid. */
export class LlmConfigError extends LlmError {
  constructor(message: string) {
    super('config', message);
  }
}

/** First line of a server's message, trimmed to a readable length. */
export function oneLine(text: string, max = 160): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

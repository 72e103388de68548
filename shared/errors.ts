/**
 * The error taxonomy. Every error ZIPP throws on purpose extends one of the classes below, and says by its
 * `kind` who can fix it. Each door maps the kind once (and nothing else does):
 *
 * | kind          | meaning                                                        | CLI exit | HTTP |
 * | ---           | ---                                                            | ---      | ---  |
 * | `input`       | the caller's data, file, flag or field is wrong                | 2        | 400  |
 * | `not-found`   | a named thing (model, study, job, file) does not exist         | 2        | 404  |
 * | `config`      | configuration is missing or wrong (no LLM, a rejected key)     | 2        | 503  |
 * | `unavailable` | a component is not loaded or not offered here                  | 1        | 503  |
 * | `upstream`    | a dependency (LLM endpoint, image engine) failed               | 1        | 502  |
 * | `timeout`     | a dependency did not answer in time                            | 1        | 504  |
 * | `generation`  | the model answered, but nothing usable came of it              | 1        | 502  |
 * | `cancelled`   | the work was aborted (timeout, client gone, shutdown)          | 1        | 504  |
 * | `failed`      | the work itself failed (a training process that died)          | 1        | 500  |
 *
 * The doors: `server/cli/main.ts` (exit code + one line), `server/http/to-api-error.ts` (status + the
 * `{error: {code, message, field?}}` body), `server/jobs/pool.ts` (a failed job's code and message) and
 * the extension's message router (`extension/lib/messages/router.ts`). Messages are ONE line that names
 * the file or field, the problem and the fix, so every door can show them as they are.
 */
export type ErrorKind = 'input' | 'not-found' | 'config' | 'unavailable' | 'upstream' | 'timeout' | 'generation' | 'cancelled' | 'failed';

export interface ErrorDetails {
  /** The offending input as a dotted path ("communities.0.name") or a flag name, when one input is to blame. */
  field?: string;
  /** How to fix it; appended to the message ("problem: fix") unless the message already ends with it. */
  fix?: string;
  /** A stable machine-readable name; defaults to one per kind (`invalid_request`, `not_found`, …). */
  code?: string;
  cause?: unknown;
}

/**
 * The common base: `kind` says who can fix it, `code` is a stable machine-readable name. Subclasses give
 * `kind` as a getter (it is known before any field initialiser runs, so the constructor can use it).
 */
export abstract class KnownError extends Error {
  abstract get kind(): ErrorKind;
  readonly code: string;
  readonly field?: string;
  readonly fix?: string;

  constructor(message: string, details: ErrorDetails = {}) {
    const fix = details.fix?.trim();
    super(fix && !message.endsWith(fix) ? `${message}: ${fix}` : message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    const self: KnownError = this; // `kind` is a prototype getter: defined here already
    this.code = details.code ?? CODE_OF_KIND[self.kind];
    if (details.field !== undefined) this.field = details.field;
    if (fix) this.fix = fix;
  }

  /** The code API clients and job records see; an error with its own vocabulary (LlmError) maps it here. */
  get apiCode(): string {
    return this.code;
  }
}

const CODE_OF_KIND: Record<ErrorKind, string> = {
  input: 'invalid_request',
  'not-found': 'not_found',
  config: 'not_configured',
  unavailable: 'not_available',
  upstream: 'upstream_error',
  timeout: 'timeout',
  generation: 'generation_failed',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** A problem with a file or value the user supplied (unreadable, malformed, inconsistent). */
export class InputError extends KnownError {
  get kind(): ErrorKind {
    return 'input';
  }
}

/** A named thing that does not exist: an unknown model folder, study, job or file. */
export class NotFoundError extends KnownError {
  get kind(): ErrorKind {
    return 'not-found';
  }
}

/** Missing or wrong configuration the operator sets (environment variables, server flags, config files). */
export class ConfigError extends KnownError {
  get kind(): ErrorKind {
    return 'config';
  }
}

/** A component that is not loaded or not offered by this build (the encoder, the persona pipeline). */
export class UnavailableError extends KnownError {
  get kind(): ErrorKind {
    return 'unavailable';
  }
}

/** A dependency ZIPP calls (an LLM endpoint, an image engine) failed or answered badly. */
export class UpstreamError extends KnownError {
  get kind(): ErrorKind {
    return 'upstream';
  }
}

/** The model answered, but nothing usable came of it (empty twice, nothing left after a guard). */
export class GenerationError extends KnownError {
  get kind(): ErrorKind {
    return 'generation';
  }
}

/** The work itself failed for the reason the message gives (a training process that died). */
export class WorkError extends KnownError {
  get kind(): ErrorKind {
    return 'failed';
  }
}

/** The kind of anything thrown: undefined for errors nobody raised on purpose (bugs, Node errors). */
export function errorKind(err: unknown): ErrorKind | undefined {
  return err instanceof KnownError ? err.kind : undefined;
}

/** The kind an HTTP error status stands for (an error answered by a ZIPP server, or chosen by a route). */
export function kindOfHttpStatus(status: number): ErrorKind {
  if (status === 404 || status === 405) return 'not-found';
  if (status < 500) return 'input';
  if (status === 502) return 'upstream';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'timeout';
  return 'failed';
}

/** Exit code of the CLI for an error of this kind: 2 when the caller can fix their input or setup. */
export function exitCodeOf(kind: ErrorKind | undefined): 1 | 2 {
  return kind === 'input' || kind === 'not-found' || kind === 'config' ? 2 : 1;
}

/** HTTP status for an error of this kind (500 for errors nobody raised on purpose). */
export function httpStatusOf(kind: ErrorKind | undefined): 400 | 404 | 502 | 503 | 504 | 500 {
  switch (kind) {
    case 'input':
      return 400;
    case 'not-found':
      return 404;
    case 'config':
    case 'unavailable':
      return 503;
    case 'upstream':
    case 'generation':
      return 502;
    case 'timeout':
    case 'cancelled':
      return 504;
    default:
      return 500;
  }
}

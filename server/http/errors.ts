import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ErrorBody } from '../../shared/api/error-body.ts';
import { kindOfHttpStatus, KnownError, type ErrorKind } from '../../shared/errors.ts';


/** An error with its HTTP status chosen where it is thrown (routes, middleware); its kind follows the status. */
export class ApiError extends KnownError {
  constructor(
    readonly status: ContentfulStatusCode,
    code: string,
    message: string,
    field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message, { code, ...(field === undefined ? {} : { field }) });
  }

  get kind(): ErrorKind {
    return kindOfHttpStatus(this.status);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** Dotted path of a zod issue ("history.3", "communities.0.name"); undefined at the root. */
export function issuePath(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length ? issue.path.map(String).join('.') : undefined;
}

/** The first zod issue as a 400 naming the field, e.g. `prompt: the prompt is empty: give the text …`. */
export function validationError(error: z.ZodError, where = 'body'): ApiError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const base = issuePath(issue);
    const key = issue.keys[0]!;
    const field = base ? `${base}.${key}` : key;
    return new ApiError(400, 'unknown_field', `${field}: unknown field in the ${where}; remove it (see /openapi.json)`, field);
  }
  const field = issuePath(issue);
  const message = field ? `${field}: ${issue.message}` : `${where}: ${issue.message}`;
  return new ApiError(400, 'invalid_request', message, field);
}

/** The documented error statuses and codes, also listed in the OpenAPI document. */
export const ERROR_CODES: Record<string, { status: number; meaning: string }> = {
  invalid_json: { status: 400, meaning: 'the body is not valid JSON' },
  invalid_request: { status: 400, meaning: 'a field has the wrong type or value (see field)' },
  unknown_field: { status: 400, meaning: 'the body has a field the endpoint does not accept' },
  path_outside_data_dir: { status: 400, meaning: 'a path field points outside the server data directory' },
  unauthorized: { status: 401, meaning: 'missing or wrong bearer token' },
  forbidden_host: { status: 403, meaning: 'the Host header is not a name of this server (start it with --allowed-host NAME)' },
  forbidden_origin: { status: 403, meaning: 'a study post from another origin than the study page' },
  not_found: { status: 404, meaning: 'no such route, job, model or file' },
  method_not_allowed: { status: 405, meaning: 'the route exists but not with this method' },
  conflict: { status: 409, meaning: 'the resource is in a state that does not allow this (e.g. cancelling a finished job)' },
  idempotency_in_progress: { status: 409, meaning: 'a request with this Idempotency-Key is still running; retry later' },
  idempotency_key_reused: { status: 422, meaning: 'this Idempotency-Key was used with a different request body' },
  payload_too_large: { status: 413, meaning: 'the body is over the size limit' },
  unsupported_media_type: { status: 415, meaning: 'send Content-Type: application/json' },
  rate_limited: { status: 429, meaning: 'too many requests for this token; wait Retry-After seconds' },
  too_many_streams: { status: 429, meaning: 'too many open event streams (per token or in all); close one or wait Retry-After seconds' },
  internal: { status: 500, meaning: 'a bug: the server logged it with the request id' },
  llm_error: { status: 502, meaning: 'the LLM endpoint failed or answered badly (message says how)' },
  llm_not_configured: { status: 503, meaning: 'no usable LLM is configured (none set, a key the endpoint rejects, a model it does not serve); the message says how to fix it' },
  study_config_invalid: { status: 503, meaning: 'the study file on the server is invalid; the message names the file and the fix' },
  not_available: { status: 503, meaning: 'a component (encoder, persona pipeline) is not available in this server' },
  llm_timeout: { status: 504, meaning: 'the LLM did not answer within its timeout' },
  timeout: { status: 504, meaning: 'the request took longer than the server timeout' },
};

import { HTTPException } from 'hono/http-exception';
import { httpStatusOf, KnownError } from '../../shared/errors.ts';
import { ApiError } from './errors.ts';

/**
 * The HTTP door's one mapping (the server's onError, SSE error events, the study sub-app): an ApiError
 * as it is; any other error raised on purpose by its kind (shared/errors.ts) with its API code, its one
 * line and its field; Hono's own exceptions; anything else a 500 whose details stay in the log.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof KnownError) {
    if (err.kind === 'cancelled') return new ApiError(504, 'timeout', 'the request was cancelled before it finished (timeout or client gone)');
    return new ApiError(httpStatusOf(err.kind), err.apiCode, err.message, err.field);
  }
  if (err instanceof HTTPException && err.status === 413) {
    return new ApiError(413, 'payload_too_large', 'the body is over the size limit (--max-body); send less');
  }
  if (err instanceof HTTPException && err.status === 415) {
    // The route validator's media-type gate, for a JSON-looking type its stricter rule refuses ("application/json ;x").
    return new ApiError(415, 'unsupported_media_type', 'the body must be JSON: send "Content-Type: application/json"');
  }
  if (err instanceof HTTPException) return new ApiError(err.status as ApiError['status'], 'http_error', err.message || 'request failed');
  return new ApiError(500, 'internal', 'internal error: the server logged the details under this request id');
}

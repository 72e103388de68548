import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { LlmError } from '../../shared/llm/errors.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import type { Logger } from '../runtime/logger.ts';

/** How each LLM failure reaches an API client: the LLM's own one-line message, with a fitting status. */
export function fromLlmError(err: LlmError): ApiError {
  switch (err.code) {
    case 'config':
      return new ApiError(503, 'llm_not_configured', err.message);
    case 'timeout':
      return new ApiError(504, 'llm_timeout', err.message);
    case 'aborted':
      return new ApiError(504, 'timeout', 'the request was cancelled before the LLM answered (timeout or client gone)');
    default:
      return new ApiError(502, 'llm_error', err.message);
  }
}

/** Turns anything a handler throws into `{error: {code, message, field?}}` with the right status. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof LlmError) return fromLlmError(err);
  if (err instanceof HTTPException && err.status === 413) {
    return new ApiError(413, 'payload_too_large', 'the body is over the size limit (--max-body); send less');
  }
  if (err instanceof HTTPException) return new ApiError(err.status as ApiError['status'], 'http_error', err.message || 'request failed');
  return new ApiError(500, 'internal', 'internal error: the server logged the details under this request id');
}

/**
 * True when the request failed because the client went away: it closed the connection mid-body (reading
 * the body fails with "aborted" / ECONNRESET) or half-closed it while waiting (the request's signal
 * aborts). That is the client's doing, not a server fault: nobody is left to answer.
 */
export function clientGone(c: Context<AppEnv>, err: unknown): boolean {
  if (c.req.raw.signal.aborted) return true;
  const e = err as { code?: string; message?: string; cause?: unknown } | undefined;
  return e?.code === 'ECONNRESET' || e?.message === 'aborted' || (e?.cause !== undefined && e.cause !== err && clientGone(c, e.cause));
}

/** A response for a client that is gone (499, nginx's "client closed request"); it is never read. */
function clientAborted(c: Context<AppEnv>, err: unknown, log: Logger): Response {
  (c.get('log') ?? log).info('client aborted', { method: c.req.method, path: c.req.path, reason: (err as Error)?.message ?? String(err) });
  return new Response(null, { status: 499 });
}

export function errorResponse(err: unknown, c: Context<AppEnv>, log: Logger): Response {
  if (clientGone(c, err)) return clientAborted(c, err, log);
  // A request cut off by its deadline fails with the deadline's error, whatever the handler threw on the way out.
  const reason: unknown = c.get('signal')?.reason;
  const api = reason instanceof ApiError ? reason : toApiError(err);
  if (api.status >= 500 && api.code === 'internal') {
    (c.get('log') ?? log).error('unhandled error', { error: (err as Error)?.stack ?? String(err) });
  }
  const headers: Record<string, string> = { ...api.headers };
  // The client may still be sending the body we refused: close the connection rather than let it be reused mid-body.
  if (api.status === 413 || api.status === 408) headers.Connection = 'close';
  const id = c.get('requestId');
  if (id) headers['X-Request-Id'] = id;
  return c.json(api.body(), api.status, headers);
}

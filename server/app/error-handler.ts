import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { ApiError } from '../http/errors.ts';
import { toApiError } from '../http/to-api-error.ts';
import type { Logger } from '../runtime/logger.ts';

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

/** The server's onError: the one mapping (toApiError) as a JSON response with the request id; a 500 is logged with its stack. */
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

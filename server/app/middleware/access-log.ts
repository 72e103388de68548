import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import type { Logger } from '../../runtime/logger.ts';

/**
 * Gives each request a child logger tagged with its request id and, when `enabled`, writes one line per
 * request: method, path (never the query, which could carry secrets), status and milliseconds.
 */
export function accessLog(log: Logger, enabled: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const reqLog = log.child({ req: c.get('requestId') });
    c.set('log', reqLog);
    await next();
    if (!enabled) return;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const fields = { method: c.req.method, path: c.req.path, status: c.res.status, ms };
    if (c.res.status >= 500) reqLog.error('request', fields);
    else reqLog.info('request', fields);
  };
}

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';

/**
 * Gives each request a signal that aborts when the client disconnects or `ms` pass, and answers 504 if
 * the handler has not produced a response by then. Handlers pass `c.get('signal')` to LLM calls so a
 * timed-out request stops costing tokens. Streaming responses are bounded by their own handler instead:
 * once the response has started, the deadline no longer applies.
 */
export function deadline(ms: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const controller = new AbortController();
    const client = c.req.raw.signal;
    const onClientGone = () => controller.abort(new Error('client disconnected'));
    client.addEventListener('abort', onClientGone, { once: true });
    c.set('signal', controller.signal);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The same error is the abort reason, so whichever path reports the failure (this race or the
        // handler's own aborted LLM call) answers the same 504.
        const error = new ApiError(504, 'timeout', `the request took longer than ${ms / 1000} s; retry, or raise --request-timeout`);
        controller.abort(error);
        reject(error);
      }, ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
      client.removeEventListener('abort', onClientGone);
    }
  };
}

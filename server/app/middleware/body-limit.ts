import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';

/**
 * 413 for JSON bodies over `maxBytes`. A declared Content-Length is checked before a byte is read, which
 * leaves @hono/node-server's fast path (reading the socket straight into a string) for the handler: Hono's
 * own bodyLimit always goes through the web-stream body, which costs a noticeable share of a request at
 * high rates. A chunked body (no length to check) goes through Hono's bodyLimit, which counts as the
 * handler reads and stops at the limit.
 */
export function jsonBodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () =>
    new ApiError(413, 'payload_too_large', `the body is over ${maxBytes} bytes (--max-body); send less, or upload files via POST /v1/uploads`);
  const chunked = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'DELETE') return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    return chunked(c, next);
  };
}

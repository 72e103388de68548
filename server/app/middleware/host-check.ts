import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../http/errors.ts';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const isLoopback = (host: string) => LOOPBACK_NAMES.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host.endsWith('.localhost');

/** The host name of a Host header, lower-cased, without port or IPv6 brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  return h.split(':')[0]!;
}

/**
 * Refuses requests whose Host header is not a name of this server (403 `forbidden_host`). This is what
 * stops DNS rebinding: a page on attacker.example that re-points its name at 127.0.0.1 reaches a server
 * on the loopback interface as a same-origin request with `Host: attacker.example`, and the public routes
 * (the study page, its joins, each costing LLM calls) would serve it. A server bound to loopback answers
 * to loopback names and `allowed`; one bound elsewhere to `allowed` plus loopback names when `allowed`
 * is given, else to any name (it is reachable directly anyway).
 */
export function hostCheck(boundHost: string, allowed: readonly string[]): MiddlewareHandler {
  const names = new Set([...allowed.map(hostName), ...LOOPBACK_NAMES, hostName(boundHost)]);
  const open = !isLoopback(hostName(boundHost)) && allowed.length === 0;
  return async (c, next) => {
    const header = c.req.header('host');
    if (open || header === undefined) return next();
    const name = hostName(header);
    if (!names.has(name) && !isLoopback(name)) {
      throw new ApiError(403, 'forbidden_host', `this server does not answer to the name ${name.slice(0, 100)}; use its address, or start it with --allowed-host ${name.slice(0, 100)}`);
    }
    await next();
  };
}

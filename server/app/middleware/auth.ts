import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Requires `Authorization: Bearer <token>`. Tokens are compared as SHA-256 digests with a constant-time
 * compare, so neither length nor content leaks through timing. The token itself is never logged; routes see
 * only `tokenId`, a short hash that keys rate limits and idempotency records.
 */
export function bearerAuth(tokens: string[]): MiddlewareHandler<AppEnv> {
  const known = tokens.map((t) => ({ digest: digest(t), id: digest(t).toString('hex').slice(0, 12) }));
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) {
      throw new ApiError(401, 'unauthorized', 'missing bearer token: send "Authorization: Bearer <token>" (the token is in <data dir>/token)', undefined, {
        'WWW-Authenticate': 'Bearer realm="zipp"',
      });
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = match ? digest(match[1]!) : undefined;
    const hit = given && known.find((k) => timingSafeEqual(k.digest, given));
    if (!hit) {
      throw new ApiError(401, 'unauthorized', 'wrong bearer token: use the token printed at first start or stored in <data dir>/token', undefined, {
        'WWW-Authenticate': 'Bearer realm="zipp", error="invalid_token"',
      });
    }
    c.set('tokenId', hit.id);
    await next();
  };
}

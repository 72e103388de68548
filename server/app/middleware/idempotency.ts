import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../../db/database.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * `Idempotency-Key` on POSTs: the first request with a key runs and its JSON answer is stored in SQLite;
 * a retry with the same key and body gets the stored answer (header `Idempotent-Replayed: true`) without
 * running again — a retried "start training" returns the same job instead of starting a second one. The
 * same key with another body is refused (422); a retry while the first is still running gets 409.
 * Server errors (5xx) and streamed answers are not stored, so those can be retried for real.
 * Records are kept for `ttlMs` and scoped by token, method and path.
 */
export function idempotency(db: Db, ttlMs = 24 * 3600_000): MiddlewareHandler<AppEnv> {
  const stmts = {
    get: db.prepare('SELECT request_hash, status, body, content_type FROM idempotency WHERE scope = ? AND key = ?'),
    claim: db.prepare('INSERT OR IGNORE INTO idempotency (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)'),
    store: db.prepare('UPDATE idempotency SET status = ?, body = ?, content_type = ? WHERE scope = ? AND key = ?'),
    release: db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ?'),
    expire: db.prepare('DELETE FROM idempotency WHERE created_at < ?'),
  };
  // Claims left pending by a server that died mid-request would block their key forever.
  db.prepare('DELETE FROM idempotency WHERE status IS NULL').run();
  let lastExpiry = 0;

  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY.test(key)) {
      throw new ApiError(400, 'invalid_request', 'Idempotency-Key: use 1–200 printable ASCII characters, e.g. a UUID', 'Idempotency-Key');
    }
    const now = Date.now();
    if (now - lastExpiry > 3600_000) {
      lastExpiry = now;
      stmts.expire.run(new Date(now - ttlMs).toISOString());
    }
    const scope = `${c.get('tokenId')} ${c.req.method} ${c.req.path}`;
    const hash = createHash('sha256').update(new Uint8Array(await c.req.arrayBuffer())).digest('hex');
    if (stmts.claim.run(scope, key, hash, new Date(now).toISOString()).changes === 0) {
      const row = stmts.get.get(scope, key) as { request_hash: string; status: number | null; body: string | null; content_type: string | null };
      if (row.request_hash !== hash) {
        throw new ApiError(422, 'idempotency_key_reused', 'Idempotency-Key was already used with a different body; use a new key for a new request', 'Idempotency-Key');
      }
      if (row.status === null) {
        throw new ApiError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still running; retry shortly', 'Idempotency-Key', {
          'Retry-After': '1',
        });
      }
      return new Response(row.body, {
        status: row.status,
        headers: { 'content-type': row.content_type ?? 'application/json', 'idempotent-replayed': 'true' },
      });
    }
    try {
      await next();
    } catch (err) {
      stmts.release.run(scope, key);
      throw err;
    }
    const type = c.res.headers.get('content-type') ?? '';
    if (c.res.status >= 500 || !type.includes('application/json')) {
      stmts.release.run(scope, key);
      return;
    }
    stmts.store.run(c.res.status, await c.res.clone().text(), type, scope, key);
  };
}

/**
 * The ZIPP server started in the test's own process on 127.0.0.1 (random port, temporary data directory,
 * fixed token, silent logs, no dashboard): the real app, middleware, SQLite and job pool, reached over
 * real HTTP. For tests that kill the server, see server-process.ts (a separate `zipp serve` process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerConfigInput } from '../../server/app/config.ts';
import { startServer, type RunningServer } from '../../server/app/server.ts';

export const TEST_TOKEN = 'zipp_test_token_0123456789abcdef';

export interface TestZipp {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** fetch against the server with the token (unless headers.authorization is given). */
  call(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** call() and parse the JSON answer. */
  json<T = any>(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestZipp(options: { env?: Record<string, string | undefined>; config?: ServerConfigInput } = {}): Promise<TestZipp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-server-'));
  const server = await startServer(
    { port: 0, dataDir, token: TEST_TOKEN, logLevel: 'silent', dashboard: false, ...options.config },
    { env: options.env ?? {} },
  );
  const call = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + route, {
      method,
      headers: {
        authorization: `Bearer ${TEST_TOKEN}`,
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return {
    server,
    url: server.url,
    dataDir,
    call,
    async json(method, route, body, headers) {
      const res = await call(method, route, body, headers);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads a server-sent-event response to its end (or until `until` returns true): [{event, data}]. */
export async function readSse(res: Response, until?: (e: { event: string; data: any }) => boolean): Promise<{ event: string; data: any }[]> {
  const out: { event: string; data: any }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue;
      const e = { event, data: JSON.parse(data) };
      out.push(e);
      if (until?.(e)) {
        await reader.cancel();
        return out;
      }
    }
  }
}

export async function waitUntil<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

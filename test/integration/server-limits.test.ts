import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { PROCESS_TOKEN, spawnZipp, type ZippProcess } from '../helpers/server-process.ts';
import { StreamLimiter } from '../../server/app/streams.ts';
import { startTestZipp, TEST_TOKEN, waitUntil } from '../helpers/server-app.ts';

/**
 * Every long-lived resource a client can hold is bounded, and a client that goes away is an ordinary event:
 * event streams are capped per token and in all (429 + Retry-After), an upload that stops sending is cut
 * off, and a client that disconnects mid-body or half-closes is logged at info as a client abort, not as a
 * server error. On the real `zipp serve` process, through raw sockets where a well-behaved client would not do it.
 */
let llm: OpenAiTestServer;
let dataDir: string;
let zipp: ZippProcess;

beforeAll(async () => {
  llm = await startOpenAiServer();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-limits-'));
  zipp = await spawnZipp({
    dataDir,
    env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MAX_RETRIES: '0' },
    args: ['--max-streams-per-token', '2', '--upload-idle-timeout', '300'],
  });
}, 120_000);
afterAll(async () => {
  zipp?.child.kill('SIGTERM');
  await zipp?.exited;
  await llm?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const port = () => Number(new URL(zipp.url).port);

/** Sends raw bytes on a fresh connection; `then` decides what the client does next. Resolves with what came back. */
function raw(request: string, then: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(port(), '127.0.0.1', () => {
      socket.write(request);
      then(socket);
    });
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

const head = (method: string, route: string, headers: Record<string, string | number>) =>
  `${method} ${route} HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nAuthorization: Bearer ${PROCESS_TOKEN}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

const openStream = async (route = '/v1/events') => {
  const controller = new AbortController();
  const res = await fetch(zipp.url + route, { headers: { authorization: `Bearer ${PROCESS_TOKEN}` }, signal: controller.signal });
  return { res, close: () => controller.abort() };
};

describe('event streams', () => {
  it('are capped per token: the next one gets 429 with Retry-After until one closes', async () => {
    const a = await openStream();
    const b = await openStream();
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    const refused = await fetch(zipp.url + '/v1/events', { headers: { authorization: `Bearer ${PROCESS_TOKEN}` } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).error).toMatchObject({ code: 'too_many_streams' });
    // A streamed rewrite counts as a stream too.
    const rewrite = await fetch(zipp.url + '/v1/rewrite?stream=true', {
      method: 'POST',
      headers: { authorization: `Bearer ${PROCESS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a fox', method: 'baseline' }),
    });
    expect(rewrite.status).toBe(429);
    a.close();
    const again = await waitUntil(async () => {
      const s = await openStream();
      if (s.res.status === 200) return s;
      await s.res.body?.cancel();
      return undefined;
    }, 10_000, 'a stream slot to free up');
    again.close();
    b.close();
  });
});

describe('the stream limiter', () => {
  it('caps streams in all as well as per token, and frees a slot when a stream ends', () => {
    const limits = new StreamLimiter(3, 2);
    const a1 = limits.acquire('a');
    limits.acquire('a');
    expect(() => limits.acquire('a')).toThrow(/this token already has 2 open event streams/);
    const b1 = limits.acquire('b');
    expect(() => limits.acquire('c')).toThrow(/the server has 3 open event streams \(--max-streams 3\)/);
    a1();
    a1(); // giving a slot back twice frees it once
    expect(limits.open()).toBe(2);
    limits.acquire('c');
    b1();
    expect(limits.open()).toBe(2);
  });
});

describe('JSON bodies', () => {
  it('that stall are bounded by the request deadline (504), not left open', async () => {
    const fast = await startTestZipp({ config: { requestTimeoutMs: 300 } });
    try {
      const answer = await new Promise<string>((resolve) => {
        let got = '';
        const socket = net.connect(Number(new URL(fast.url).port), '127.0.0.1', () =>
          socket.write(`POST /v1/rewrite HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"pro\r\n`),
        );
        socket.on('data', (d) => {
          got += d.toString();
          if (got.includes('\r\n\r\n')) socket.destroy();
        });
        socket.on('close', () => resolve(got));
      });
      expect(answer).toMatch(/^HTTP\/1.1 504/);
    } finally {
      await fast.close();
    }
  });
});

describe('uploads', () => {
  it('that stop sending are cut off with 408 and leave no partial file', async () => {
    const answer = await raw(head('POST', '/v1/uploads?name=stalled.csv', { 'Content-Length': 100_000 }) + 'user,community\nu1,a\n', () => {});
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(answer).toMatch(/"code":"timeout"/);
    const uploads = path.join(dataDir, 'uploads');
    expect(existsSync(uploads) ? readdirSync(uploads).filter((f) => !f.endsWith('.json')) : []).toEqual([]);
  });
});

describe('clients that go away', () => {
  it('are logged at info as client aborts, never as server errors', async () => {
    const before = zipp.logs.length;
    llm.enqueue({ kind: 'default', delayMs: 2000 });
    // 1. disconnects in the middle of a JSON body (declared length)
    await raw(head('POST', '/v1/rewrite', { 'Content-Type': 'application/json', 'Content-Length': 1000 }) + '{"prompt": "a', (s) => setTimeout(() => s.destroy(), 200));
    // 2. disconnects in the middle of a chunked JSON body
    await raw(head('POST', '/v1/rewrite', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }) + '5\r\n{"pro\r\n', (s) => setTimeout(() => s.destroy(), 200));
    // 3. disconnects in the middle of an upload
    await raw(head('POST', '/v1/uploads?name=cut.csv', { 'Content-Length': 100_000 }) + 'user,community\n', (s) => setTimeout(() => s.destroy(), 100));
    // 4. sends a whole request, then half-closes while the LLM is still thinking
    const body = JSON.stringify({ prompt: 'a dog in a park', method: 'baseline' });
    await raw(head('POST', '/v1/rewrite', { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }) + body, (s) => {
      s.end();
      setTimeout(() => s.destroy(), 3000);
    });
    const aborts = await waitUntil(() => {
      const lines = zipp.logs.slice(before).filter((l) => l.msg === 'client aborted');
      return lines.length >= 4 ? lines : undefined;
    }, 10_000, 'four client-abort lines');
    expect(aborts.every((l) => l.level === 'info')).toBe(true);
    const mine = zipp.logs.slice(before);
    expect(mine.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(mine.filter((l) => l.msg === 'request' && l.status >= 500)).toEqual([]);
    // The server is fine afterwards.
    expect((await fetch(zipp.url + '/v1/health')).status).toBe(200);
  });
});

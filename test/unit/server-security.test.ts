import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../../server/app/env.ts';
import { errorResponse } from '../../server/app/error-handler.ts';
import { createLogger } from '../../server/runtime/logger.ts';
import { bearerAuth } from '../../server/app/middleware/auth.ts';
import { hostCheck } from '../../server/app/middleware/host-check.ts';
import { rateLimit } from '../../server/app/middleware/rate-limit.ts';
import { resolveToken } from '../../server/app/token.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'zipp-sec-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('API token', () => {
  it('is generated on first start into a 0600 file, then read back; --token and ZIPP_TOKEN override it', () => {
    const first = resolveToken(dir);
    expect(first.source).toBe('generated');
    expect(first.token).toMatch(/^zipp_[\w-]{32}$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file, 'utf8').trim()).toBe(first.token);
    expect(resolveToken(dir)).toMatchObject({ source: 'file', token: first.token });
    expect(resolveToken(dir, 'zipp_from_flag_0123456789', 'zipp_from_env_0123456789')).toMatchObject({ source: 'flag', token: 'zipp_from_flag_0123456789' });
    expect(resolveToken(dir, undefined, 'zipp_from_env_0123456789')).toMatchObject({ source: 'env', token: 'zipp_from_env_0123456789' });
  });

  it('tightens a token file others can read, and refuses a weak token', () => {
    writeFileSync(path.join(dir, 'token'), 'zipp_a_token_from_before_1234\n');
    chmodSync(path.join(dir, 'token'), 0o644);
    expect(resolveToken(dir).token).toBe('zipp_a_token_from_before_1234');
    expect(statSync(path.join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(() => resolveToken(dir, 'short')).toThrow(/--token: the token must be at least 16 characters/);
  });
});

describe('logs', () => {
  it('are JSON lines and never carry a secret, at any depth', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l)).child({ req: 'r1' });
    log.info('request', { method: 'POST', headers: { Authorization: 'Bearer zipp_secret' }, llm: { apiKey: 'sk-secret', model: 'm' }, token: 'zipp_secret' });
    log.debug('hidden at info level');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 'info', msg: 'request', req: 'r1', method: 'POST', llm: { apiKey: '[redacted]', model: 'm' }, token: '[redacted]' });
    expect(lines[0]).not.toContain('secret');
  });
});

function app(perSecond: number, burst: number) {
  const a = new Hono<AppEnv>();
  const log = createLogger('silent');
  a.use('*', bearerAuth(['zipp_token_one_0123456789', 'zipp_token_two_0123456789']));
  a.use('*', rateLimit({ perSecond, burst }));
  a.get('/x', (c) => c.json({ token: c.get('tokenId') }));
  a.onError((err, c) => errorResponse(err, c, log));
  return (token: string) => a.request('/x', { headers: { authorization: `Bearer ${token}` } });
}

describe('per-token rate limit', () => {
  it('lets a burst through, then answers 429 with Retry-After, and refills with time', async () => {
    vi.useFakeTimers({ now: 0 });
    const call = app(2, 3);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('zipp_token_one_0123456789')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call('zipp_token_one_0123456789');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await limited.json()).error.code).toBe('rate_limited');
    // Another token has its own bucket.
    expect((await call('zipp_token_two_0123456789')).status).toBe(200);
    vi.setSystemTime(1000); // one second: two more requests
    expect((await call('zipp_token_one_0123456789')).status).toBe(200);
    expect((await call('zipp_token_one_0123456789')).status).toBe(200);
    expect((await call('zipp_token_one_0123456789')).status).toBe(429);
  });

  it('keys buckets by a hash of the token, never the token itself', async () => {
    const res = await app(0, 1)('zipp_token_one_0123456789');
    const { token } = await res.json();
    expect(token).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('secret field names', () => {
  it('cover keys, tokens and passwords, and leave names that only mention one', async () => {
    const { isSecretField } = await import('../../server/runtime/logger.ts');
    for (const name of ['apiKey', 'api_key', 'token', 'accessToken', 'Authorization', 'password', 'clientSecret', 'cookie', 'set-cookie']) expect([name, isSecretField(name)]).toEqual([name, true]);
    for (const name of ['apiKeyEnv', 'maxTokens', 'promptTokens', 'tokenId', 'tokens', 'keyword', 'model']) expect([name, isSecretField(name)]).toEqual([name, false]);
  });
});

describe('Host check (DNS rebinding)', () => {
  const MACHINE = {
    hostname: 'gpu-box.lab.example',
    interfaces: { lo: [{ address: '127.0.0.1' }, { address: '::1' }], eth0: [{ address: '10.0.0.5' }, { address: 'FD00::5' }], wg0: [{ address: '172.16.0.9' }] },
  };
  const hostApp = (bound: string, allowed: string[]) => {
    const a = new Hono<AppEnv>();
    a.use('*', hostCheck(bound, allowed, MACHINE));
    a.get('/', (c) => c.text('ok'));
    a.onError((err, c) => errorResponse(err, c, createLogger('silent')));
    return async (host: string) => (await a.request('/', { headers: { host } })).status;
  };

  it('answers a loopback server under loopback names and the allowed ones only', async () => {
    const get = hostApp('127.0.0.1', ['gpu-box.lab.example']);
    for (const h of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787', 'LOCALHOST', 'gpu-box.lab.example:8787']) expect([h, await get(h)]).toEqual([h, 200]);
    for (const h of ['attacker.example', 'attacker.example:8787', '127.0.0.1.attacker.example', 'evil-localhost.example']) expect([h, await get(h)]).toEqual([h, 403]);
  });

  it('answers a server bound to the network under its addresses and the machine\'s name, not any name', async () => {
    const wildcard = hostApp('0.0.0.0', []);
    for (const h of ['10.0.0.5:8787', '[fd00::5]:8787', '172.16.0.9', 'gpu-box.lab.example:8787', 'gpu-box', 'localhost', '127.0.0.1:8787']) expect([h, await wildcard(h)]).toEqual([h, 200]);
    for (const h of ['whatever.example', 'attacker.example:8787', '10.0.0.6', 'gpu-box.attacker.example']) expect([h, await wildcard(h)]).toEqual([h, 403]);
    // Bound to one address: that interface's addresses, not another interface's.
    const one = hostApp('10.0.0.5', []);
    for (const h of ['10.0.0.5:8787', '[fd00::5]', 'gpu-box']) expect([h, await one(h)]).toEqual([h, 200]);
    expect(await one('172.16.0.9')).toBe(403);
    const pinned = hostApp('0.0.0.0', ['zipp.lab.example']);
    expect(await pinned('zipp.lab.example:8787')).toBe(200);
    expect(await pinned('10.0.0.5')).toBe(200);
    expect(await pinned('attacker.example')).toBe(403);
  });
});

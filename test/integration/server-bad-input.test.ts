import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { startTestZipp, TEST_TOKEN, type TestZipp } from '../helpers/server-app.ts';

/**
 * A corpus of bad requests, each with the documented status and error body. The server must answer every
 * one of them and stay up (health checked after each group).
 */
let llm: OpenAiTestServer;
let zipp: TestZipp;

beforeAll(async () => {
  llm = await startOpenAiServer();
  zipp = await startTestZipp({
    env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: 'sk-test' },
    config: { maxBodyBytes: 64 * 1024, maxUploadBytes: 256 * 1024 },
  });
  writeFileSync(path.join(zipp.dataDir, 'ok.csv'), 'user,community,comments\nu1,analog,3\n');
});
afterAll(async () => {
  await zipp?.close();
  await llm?.close();
});

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
  message?: RegExp;
}

const json = (v: unknown) => JSON.stringify(v);
const rewrite = (body: string, extra: Partial<Case> = {}): Pick<Case, 'method' | 'path' | 'body'> & Partial<Case> => ({ method: 'POST', path: '/v1/rewrite', body, ...extra });

const CORPUS: Case[] = [
  // malformed JSON
  { name: 'truncated JSON', ...rewrite('{"prompt": "a dog"'), status: 400, code: 'invalid_json', message: /not valid JSON/ },
  { name: 'trailing comma', ...rewrite('{"prompt": "a dog",}'), status: 400, code: 'invalid_json' },
  { name: 'not JSON at all', ...rewrite('prompt=a dog'), status: 400, code: 'invalid_json' },
  { name: 'empty body', ...rewrite(''), status: 400, code: 'invalid_json', message: /empty/ },
  { name: 'wrong content type', ...rewrite(json({ prompt: 'a dog' }), { headers: { 'content-type': 'text/plain' } }), status: 415, code: 'unsupported_media_type' },
  // wrong types and values
  { name: 'array instead of object', ...rewrite('[1,2]'), status: 400, code: 'invalid_request' },
  { name: 'null body', ...rewrite('null'), status: 400, code: 'invalid_request' },
  { name: 'prompt is a number', ...rewrite(json({ prompt: 42 })), status: 400, code: 'invalid_request', field: 'prompt' },
  { name: 'prompt is blank', ...rewrite(json({ prompt: '   ' })), status: 400, code: 'invalid_request', field: 'prompt', message: /prompt is empty/ },
  { name: 'prompt too long', ...rewrite(json({ prompt: 'x'.repeat(2001) })), status: 400, code: 'invalid_request', field: 'prompt', message: /shorten/ },
  { name: 'unknown method', ...rewrite(json({ prompt: 'a dog', method: 'magic' })), status: 400, code: 'invalid_request', field: 'method' },
  { name: 'k out of range', ...rewrite(json({ prompt: 'a dog', k: 9 })), status: 400, code: 'invalid_request', field: 'k' },
  { name: 'history not an array', ...rewrite(json({ prompt: 'a dog', history: 'a cat' })), status: 400, code: 'invalid_request', field: 'history' },
  { name: 'history item wrong type', ...rewrite(json({ prompt: 'a dog', history: ['ok', 7] })), status: 400, code: 'invalid_request', field: 'history.1' },
  { name: 'batch without items', method: 'POST', path: '/v1/rewrite/batch', body: json({ items: [] }), status: 400, code: 'invalid_request', field: 'items' },
  { name: 'batch item wrong type', method: 'POST', path: '/v1/rewrite/batch', body: json({ items: [{ prompt: 1 }] }), status: 400, code: 'invalid_request', field: 'items.0.prompt' },
  { name: 'community list empty', method: 'POST', path: '/v1/personas/verbalize', body: json({ communities: [] }), status: 400, code: 'invalid_request', field: 'communities' },
  { name: 'community with a control character in its name', method: 'POST', path: '/v1/personas/infer', body: json({ communities: [{ name: 'bad\u0000name', comments: 1 }] }), status: 400, code: 'invalid_request', field: 'communities.0.name' },
  { name: 'negative activity', method: 'POST', path: '/v1/personas/infer', body: json({ communities: [{ name: 'analog', posts: -1 }] }), status: 400, code: 'invalid_request', field: 'communities.0.posts' },
  { name: 'query limit not a number', method: 'GET', path: '/v1/jobs?limit=lots', status: 400, code: 'invalid_request', field: 'limit' },
  { name: 'query status unknown', method: 'GET', path: '/v1/jobs?status=sleeping', status: 400, code: 'invalid_request', field: 'status' },
  // unknown fields
  { name: 'unknown top-level field', ...rewrite(json({ prompt: 'a dog', promtp: 'typo' })), status: 400, code: 'unknown_field', field: 'promtp' },
  { name: 'unknown nested field', method: 'POST', path: '/v1/rewrite/batch', body: json({ items: [{ prompt: 'a', extra: 1 }] }), status: 400, code: 'unknown_field', field: 'items.0.extra' },
  { name: 'unknown community field', method: 'POST', path: '/v1/personas/infer', body: json({ communities: [{ name: 'analog', comments: 1, karma: 5 }] }), status: 400, code: 'unknown_field', field: 'communities.0.karma' },
  { name: 'unknown query parameter', method: 'GET', path: '/v1/jobs?sort=asc', status: 400, code: 'unknown_field', field: 'sort' },
  // huge bodies
  { name: 'body over --max-body (declared length)', ...rewrite(json({ prompt: 'a dog', history: Array(9000).fill('a long history line') })), status: 413, code: 'payload_too_large' },
  // path traversal and ids that are not ids
  { name: 'job id with traversal', method: 'GET', path: '/v1/jobs/..%2F..%2Fetc%2Fpasswd', status: 400, code: 'invalid_request', field: 'id' },
  { name: 'job id unknown', method: 'GET', path: '/v1/jobs/job_aaaaaaaaaaaaaaaaaaaa', status: 404, code: 'not_found', field: 'id' },
  { name: 'upload name with traversal', method: 'POST', path: '/v1/uploads?name=..%2Fzipp.db', body: 'x', status: 400, code: 'invalid_request', field: 'name' },
  { name: 'upload name dot-dot', method: 'POST', path: '/v1/uploads?name=..', body: 'x', status: 400, code: 'invalid_request', field: 'name' },
  { name: 'upload name with a slash', method: 'POST', path: '/v1/uploads?name=a%2Fb.csv', body: 'x', status: 400, code: 'invalid_request', field: 'name', message: /^name: a plain file name/ },
  // text that is not well-formed Unicode (a lone UTF-16 surrogate written as a JSON escape)
  { name: 'lone surrogate in a prompt', ...rewrite('{"prompt": "a dog \\ud83d in a park"}'), status: 400, code: 'invalid_request', field: 'prompt', message: /lone UTF-16 surrogate/ },
  { name: 'lone low surrogate in a batch item', method: 'POST', path: '/v1/rewrite/batch', body: '{"items": [{"prompt": "ok"}, {"prompt": "\\udc00 fox"}]}', status: 400, code: 'invalid_request', field: 'items.1.prompt' },
  { name: 'lone surrogate in a persona', ...rewrite('{"prompt": "a dog", "persona": "You love \\ud800"}'), status: 400, code: 'invalid_request', field: 'persona' },
  { name: 'training path climbs out', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { path: '../../etc/passwd' } }), status: 400, code: 'path_outside_data_dir', field: 'interactions.path' },
  { name: 'training path absolute', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { path: '/etc/passwd' } }), status: 400, code: 'path_outside_data_dir', field: 'interactions.path' },
  { name: 'training path in a list', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: [{ path: 'ok.csv' }, { path: 'a/../../../x' }] }), status: 400, code: 'path_outside_data_dir', field: 'interactions.1.path' },
  { name: 'communities path climbs out', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { path: 'ok.csv' }, communities: { path: '../secrets.jsonl' } }), status: 400, code: 'path_outside_data_dir', field: 'communities.path' },
  { name: 'training file missing', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { path: 'nope.csv' } }), status: 400, code: 'invalid_request', field: 'interactions.path' },
  { name: 'upload id forged', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { upload: '../zipp.db' } }), status: 400, code: 'invalid_request' },
  { name: 'upload id unknown', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { upload: 'upl_aaaaaaaaaaaaaaaaaaaa' } }), status: 400, code: 'invalid_request', field: 'interactions.upload' },
  { name: 'training setting out of range', method: 'POST', path: '/v1/encoder/train', body: json({ interactions: { path: 'ok.csv' }, config: { epochs: 0 } }), status: 400, code: 'invalid_request', field: 'config.epochs' },
  { name: 'model id with traversal', method: 'GET', path: '/v1/encoder/models/..%2F..%2Fzipp.db', status: 400, code: 'invalid_request', field: 'id' },
  { name: 'model file not downloadable', method: 'GET', path: '/v1/encoder/models/job_aaaaaaaaaaaaaaaaaaaa/..%2F..%2Ftoken', status: 400, code: 'invalid_request', field: 'file' },
  { name: 'model file outside the list', method: 'GET', path: '/v1/encoder/models/job_aaaaaaaaaaaaaaaaaaaa/state.json', status: 400, code: 'invalid_request', field: 'file' },
  // tokens
  { name: 'missing token', method: 'GET', path: '/v1/jobs', headers: { authorization: '' }, status: 401, code: 'unauthorized', message: /missing bearer token/ },
  { name: 'wrong token', method: 'GET', path: '/v1/jobs', headers: { authorization: 'Bearer zipp_wrong_token_000000000000' }, status: 401, code: 'unauthorized', message: /wrong bearer token/ },
  { name: 'token with the wrong scheme', method: 'GET', path: '/v1/jobs', headers: { authorization: `Basic ${TEST_TOKEN}` }, status: 401, code: 'unauthorized' },
  { name: 'token prefix only', method: 'GET', path: '/v1/jobs', headers: { authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` }, status: 401, code: 'unauthorized' },
  // routes and methods
  { name: 'unknown route', method: 'GET', path: '/v1/nothing-here', status: 404, code: 'not_found' },
  { name: 'wrong method', method: 'GET', path: '/v1/rewrite', status: 405, code: 'method_not_allowed' },
  { name: 'bad idempotency key', ...rewrite(json({ prompt: 'a dog' }), { headers: { 'idempotency-key': 'spaces are not allowed' } }), status: 400, code: 'invalid_request', field: 'Idempotency-Key' },
];

const INVALID_UTF8 = new Uint8Array([...Buffer.from('{"prompt": "a '), 0xff, 0xfe, ...Buffer.from(' dog"}')]);

async function send(c: Case): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}` };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, c.headers);
  if (headers.authorization === '') delete headers.authorization;
  return fetch(zipp.url + c.path, { method: c.method, headers, ...(c.body !== undefined ? { body: c.body } : {}) });
}

describe('bad input corpus', () => {
  it.each(CORPUS.map((c) => [c.name, c] as const))('%s → documented status and error body', async (_name, c) => {
    const res = await send(c);
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(c.code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(body.error.message).not.toMatch(/\n/);
    // The field is named once ("name: a plain …", never "name: name: …").
    expect(body.error.message).not.toMatch(/^([\w.]+): \1:/);
    if (c.field) expect(body.error.field).toBe(c.field);
    if (c.message) expect(body.error.message).toMatch(c.message);
    if (c.status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses a body that is not UTF-8', async () => {
    const res = await fetch(`${zipp.url}/v1/rewrite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: INVALID_UTF8,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'invalid_json', message: expect.stringMatching(/UTF-8/) });
  });

  it('refuses a chunked body over --max-body while it streams in', async () => {
    const chunk = new TextEncoder().encode(`{"prompt": "${'x'.repeat(16 * 1024)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 16) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${zipp.url}/v1/rewrite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
  });

  it('reads a chunked body under --max-body whole (the field errors come from the body itself)', async () => {
    const parts = ['{"prompt": "a red ', 'bicycle", "temperature": ', '7}'].map((p) => new TextEncoder().encode(p));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${zipp.url}/v1/rewrite`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'invalid_request', field: 'temperature' });
  });

  it('cuts off an upload over --max-upload and keeps no partial file', async () => {
    const uploads = path.join(zipp.dataDir, 'uploads');
    const before = existsSync(uploads) ? readdirSync(uploads).length : 0;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 64) controller.enqueue(new Uint8Array(16 * 1024).fill(65));
        else controller.close();
      },
    });
    const res = await fetch(`${zipp.url}/v1/uploads?name=big.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
      body: stream,
      duplex: 'half',
    } as RequestInit).catch((err: Error) => err);
    // The server may close the connection as it refuses; either way no partial file stays behind.
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect((await res.json()).error.code).toBe('payload_too_large');
    }
    expect(readdirSync(uploads).length).toBe(before);
  });

  it('answers 413 for a declared upload size over --max-upload before reading it', async () => {
    const res = await zipp.call('POST', '/v1/uploads?name=big.csv', 'x'.repeat(300 * 1024), { 'content-type': 'text/csv' });
    expect(res.status).toBe(413);
  });

  it('stays up through all of it', async () => {
    const res = await fetch(`${zipp.url}/v1/health`);
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('ok');
    // and still does real work
    const ok = await zipp.json('POST', '/v1/rewrite', { prompt: 'a dog in a park', method: 'baseline' });
    expect(ok.status).toBe(200);
  });
});

describe('paths given by clients never leave the data directory', () => {
  it('resolves relative paths inside and refuses absolute, climbing and linked-out ones', async () => {
    const { resolveInside } = await import('../../server/runtime/inside-dir.ts');
    const { InputError } = await import('../../shared/errors.ts');
    const root = zipp.dataDir;
    mkdirSync(path.join(root, 'data'), { recursive: true });
    symlinkSync('/etc', path.join(root, 'data', 'out'));
    // A link to a place inside the data directory, and a link out whose target has no such subfolder yet.
    symlinkSync(path.join(root, 'data'), path.join(root, 'inlink'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'zipp-outside-'));
    symlinkSync(outside, path.join(root, 'outlink'));
    expect(resolveInside(root, 'data/interactions.csv', 'interactions.path')).toBe(path.join(root, 'data', 'interactions.csv'));
    expect(resolveInside(root, 'data/new/deeper/cache', 'engine.cacheDir')).toBe(path.join(root, 'data', 'new', 'deeper', 'cache'));
    for (const bad of ['/etc/passwd', '../zipp-other/x', 'data/../../x', 'data/out/passwd', 'a\0b', 'C:\\Windows\\x', 'outlink/newdir', 'outlink/new/deeper', 'outlink', 'inlink/x.csv', 'data/out']) {
      let error: any;
      try {
        resolveInside(root, bad, 'interactions.path');
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(InputError);
      expect(error, bad).toMatchObject({ code: 'path_outside_data_dir', field: 'interactions.path' });
    }
    rmSync(outside, { recursive: true, force: true });
  });

  it('refuses a training file reached through a symbolic link, over HTTP', async () => {
    symlinkSync(path.join(zipp.dataDir, 'ok.csv'), path.join(zipp.dataDir, 'linked.csv'));
    const res = await zipp.json('POST', '/v1/encoder/train', { interactions: { path: 'linked.csv' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'path_outside_data_dir', field: 'interactions.path' });
    expect(res.body.error.message).toMatch(/symbolic link/);
  });
});

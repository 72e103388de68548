import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../server/app/adapters/node-fetch.ts';

/** A real HTTP server on 127.0.0.1 with one route per behaviour the LLM client's fetch must get right. */
let server: http.Server;
let base: string;
const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      switch (req.url) {
        case '/json':
          res.writeHead(201, { 'content-type': 'application/json', 'x-extra': 'yes' }).end(JSON.stringify({ echo: body }));
          break;
        case '/gzip':
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync('{"zipped":true}'));
          break;
        case '/redirect':
          res.writeHead(307, { location: '/json' }).end();
          break;
        case '/sse':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: one\n\n');
          setTimeout(() => res.end('data: two\n\n'), 150);
          break;
        case '/hang':
          break; // never answers
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('nodeFetch (the LLM client transport)', () => {
  it('sends method, headers and body, and returns status, headers and body', async () => {
    const res = await nodeFetch(`${base}/json`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: '{"a":1}' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-extra')).toBe('yes');
    expect(await res.json()).toEqual({ echo: '{"a":1}' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer k', 'content-length': '7' } });
  });

  it('hands a buffered answer over under the standard Response rules (read once, clone, body stream, url)', async () => {
    const send = () => nodeFetch(`${base}/json`, { method: 'POST', body: 'hi' });
    const res = await send();
    expect(res).toBeInstanceOf(Response);
    expect(res.url).toBe(`${base}/json`);
    expect(res.ok).toBe(true);
    const copy = res.clone();
    expect(res.bodyUsed).toBe(false);
    expect(await res.text()).toBe('{"echo":"hi"}');
    expect(res.bodyUsed).toBe(true);
    await expect(res.json()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect(new Uint8Array(await copy.arrayBuffer())).toEqual(new TextEncoder().encode('{"echo":"hi"}'));

    const streamed = await send();
    let text = '';
    for await (const chunk of streamed.body!) text += new TextDecoder().decode(chunk);
    expect(text).toBe('{"echo":"hi"}');
    expect(streamed.bodyUsed).toBe(true);
    await expect(streamed.text()).rejects.toThrow(TypeError);
  });

  it('decodes a gzip answer', async () => {
    const res = await nodeFetch(`${base}/gzip`);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ zipped: true });
  });

  it('follows a redirect (through the built-in fetch)', async () => {
    const res = await nodeFetch(`${base}/redirect`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ echo: 'x' });
  });

  it('streams an event stream as it arrives', async () => {
    const res = await nodeFetch(`${base}/sse`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('data: one\n\n'); // before the server has written the second event
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('rejects with an AbortError when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(nodeFetch(`${base}/hang`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects when nothing listens (a network error, as fetch does)', async () => {
    await expect(nodeFetch('http://127.0.0.1:1/')).rejects.toThrow();
  });
});

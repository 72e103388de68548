import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { BufferedResponse } from './buffered-response.ts';

/**
 * A `fetch` for the server's LLM client built on node:http with keep-alive agents. The openai SDK calls
 * fetch once per LLM request; Node's built-in fetch (undici behind WHATWG streams) costs about twice the
 * CPU per call of a plain http request, which at 1,000 rewrites a second is most of a core. Bodies the SDK
 * sends for chat and embeddings are strings; anything else (streams, forms), and redirects, go to the
 * built-in fetch, so behaviour never differs — only cost. Buffered answers come back as a
 * BufferedResponse (no web stream per answer), event streams as a web stream over the socket.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Parsed request targets by URL string: the SDK sends every call to the same few URLs. */
const targets = new Map<string, { url: URL; options: http.RequestOptions }>();

function target(input: string | URL): { url: URL; options: http.RequestOptions } | undefined {
  const key = String(input);
  let t = targets.get(key);
  if (!t) {
    const url = new URL(key);
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return undefined;
    t = {
      url,
      options: {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        agent,
        ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      },
    };
    if (targets.size >= 64) targets.clear();
    targets.set(key, t);
  }
  return t;
}

/** A header list as the plain object node:http takes; the SDK hands over a Headers instance. */
function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const source = init instanceof Headers ? init : new Headers(init);
  source.forEach((value, key) => (out[key] = value));
  return out;
}

export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = init.body;
  if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
  const t = target(input);
  if (!t) return fetch(input, init);
  const headers = plainHeaders(init.headers);
  if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  const signal = init.signal ?? undefined;

  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = (t.url.protocol === 'https:' ? https : http).request({ ...t.options, method: init.method ?? 'GET', headers, ...(signal ? { signal } : {}) }, resolve);
    req.on('error', reject);
    req.end(body ?? undefined);
  });
  const status = res.statusCode ?? 0;
  if (REDIRECTS.has(status)) {
    res.resume();
    return fetch(input, init);
  }
  const responseHeaders = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  let stream: Readable = res;
  const encoding = (res.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
  else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
  else if (encoding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
  if (stream !== res) {
    responseHeaders.delete('content-encoding');
    responseHeaders.delete('content-length');
    res.on('error', (err) => stream.destroy(err));
  }
  const init2 = { status, statusText: res.statusMessage ?? '', headers: responseHeaders };
  const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
  if (nullBody) {
    stream.resume();
    return new Response(null, init2);
  }
  // Event streams are handed over as they arrive; other answers are read whole (small JSON) first,
  // which is cheaper than a web stream per response.
  if ((res.headers['content-type'] ?? '').includes('text/event-stream')) {
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, init2);
  }
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    stream.once('error', reject);
    // A connection cut off mid-body (or an abort) closes the stream without 'end'.
    stream.once('close', () => {
      if (!ended) reject(signal?.aborted ? signal.reason : new Error('the LLM server closed the connection mid-answer'));
    });
  });
  return new BufferedResponse(bytes, init2, t.url.href);
}

import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * A `fetch` for the server's LLM client built on node:http with keep-alive agents. The openai SDK calls
 * fetch once per LLM request; Node's built-in fetch (undici behind WHATWG streams) costs about twice the
 * CPU per call of a plain http request, which at 1,000 rewrites a second is most of a core. Bodies the SDK
 * sends for chat and embeddings are strings; anything else (streams, forms), and redirects, go to the
 * built-in fetch, so behaviour never differs — only cost.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = init.body;
  if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) return fetch(input, init);
  const url = new URL(input);
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  const signal = init.signal ?? undefined;

  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent, ...(signal ? { signal } : {}) }, resolve);
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
  const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
  if (nullBody) {
    stream.resume();
    return new Response(null, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
  }
  // Event streams are handed over as they arrive; other answers are read whole (small JSON) first,
  // which is cheaper than a web stream per response.
  if ((res.headers['content-type'] ?? '').includes('text/event-stream')) {
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Response(Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
}

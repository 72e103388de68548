import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { buildIfStale, ROOT } from './extension-build.ts';

/**
 * The fixture sites (test/fixtures/sites): each editor kind on its own page, bundled with esbuild when
 * stale and served on 127.0.0.1 by a plain static server started per test file — over http for generic
 * mode, and over https (test-only certificate) under the supported sites' hostnames, which the test
 * browser resolves to 127.0.0.1 (`browserArgs`).
 */
export const SITES_DIR = join(ROOT, 'test/fixtures/sites');
const DIST = join(SITES_DIR, 'dist');
export const FIXTURE_PAGES = ['react-textarea', 'prosemirror', 'quill', 'lexical', 'spa', 'web-component', 'changing'] as const;
export type FixturePage = (typeof FIXTURE_PAGES)[number];

const ENTRY: Record<FixturePage, string> = {
  'react-textarea': 'src/react-textarea.tsx',
  prosemirror: 'src/prosemirror.ts',
  quill: 'src/quill.ts',
  lexical: 'src/lexical.ts',
  spa: 'src/spa.tsx',
  'web-component': 'src/web-component.ts',
  changing: 'src/changing.ts',
};

/** Each supported site's hostname → the fixture page with that site's kind of prompt editor. */
export const SITE_PAGES: Record<string, FixturePage> = {
  'www.midjourney.com': 'react-textarea',
  'chatgpt.com': 'prosemirror',
  'gemini.google.com': 'quill',
  'civitai.com': 'react-textarea',
  'app.leonardo.ai': 'react-textarea',
  'ideogram.ai': 'react-textarea',
  'www.krea.ai': 'spa',
  'firefly.adobe.com': 'web-component',
  'playground.com': 'react-textarea',
  // Ideogram's adapter, on a page whose markup no longer matches it (and changes on every load).
  'beta.ideogram.ai': 'changing',
};

export async function ensureFixturesBuilt(): Promise<void> {
  await buildIfStale('fixture-sites', DIST, [join(SITES_DIR, 'src')], async () => {
    const { build } = await import('esbuild');
    await build({
      entryPoints: Object.fromEntries(Object.entries(ENTRY).map(([name, src]) => [name, join(SITES_DIR, src)])),
      outdir: DIST,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      minify: true,
      logLevel: 'silent',
    });
  });
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

export interface SitesServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** host:port, the key the extension stores this site's switches under. */
  host: string;
  url(page: FixturePage, query?: string): string;
  /** https://<site>/ — the fixture for that supported site (in a browser started with `browserArgs`). */
  siteUrl(hostname: keyof typeof SITE_PAGES, query?: string): string;
  /** Chromium flags that send the supported sites' hostnames to this server. */
  browserArgs: string[];
  close(): Promise<void>;
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
  let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
  if (!path && SITE_PAGES[hostname]) path = `${SITE_PAGES[hostname]}.html`;
  const file = join(SITES_DIR, path);
  if (!file.startsWith(SITES_DIR) || !/^(dist\/[\w-]+\.js|[\w-]+\.html)$/.test(path.replaceAll('\\', '/'))) {
    res.writeHead(404).end('not found');
    return;
  }
  readFile(file).then(
    (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
    () => res.writeHead(404).end('not found'),
  );
}

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

export async function startSitesServer(): Promise<SitesServer> {
  await ensureFixturesBuilt();
  const http = createServer(handler);
  const [cert, key] = await Promise.all([readFile(join(SITES_DIR, 'tls/cert.pem')), readFile(join(SITES_DIR, 'tls/key.pem'))]);
  const https = createHttpsServer({ cert, key }, handler) as unknown as Server;
  const [port, tlsPort] = await Promise.all([listen(http), listen(https)]);
  const origin = `http://127.0.0.1:${port}`;
  const rules = Object.keys(SITE_PAGES).map((h) => `MAP ${h} 127.0.0.1:${tlsPort}`);
  return {
    origin,
    host: `127.0.0.1:${port}`,
    url: (page, query = '') => `${origin}/${page}.html${query}`,
    siteUrl: (hostname, query = '') => `https://${hostname}/${query}`,
    browserArgs: [`--host-resolver-rules=${rules.join(',')}`, '--ignore-certificate-errors'],
    close: async () => {
      http.closeAllConnections();
      (https as unknown as { closeAllConnections(): void }).closeAllConnections();
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
    },
  };
}

import { createHash } from 'node:crypto';

/** A browser page's code as the server serves it: one script, its style sheet, and a hash of both for cache-busting names. */
export interface PageBundle {
  js: string;
  css: string;
  hash: string;
}

/**
 * The one way the server's own pages are built — the dashboard (React) and the A/B study page: esbuild
 * bundles the page's entry on first use, in memory (well under a second), and keeps it for the life of
 * the process. Nothing is built ahead of time and nothing is written to disk, so a fresh clone serves both
 * pages with no build step, and a change to their sources shows on the next server start.
 */
export function pageBundler(entry: string): () => Promise<PageBundle> {
  let bundle: Promise<PageBundle> | undefined;
  return () => {
    bundle ??= build(entry).catch((err: unknown) => {
      bundle = undefined; // let the next request try again
      throw err;
    });
    return bundle;
  };
}

async function build(entry: string): Promise<PageBundle> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: 'page', // only names the outputs: nothing is written
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const css = out.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  return { js, css, hash: createHash('sha256').update(js).update(css).digest('hex').slice(0, 12) };
}

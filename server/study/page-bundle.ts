import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));
let bundle: Promise<string> | undefined;

/**
 * The participant page's script: page/main.ts bundled by esbuild on first request and kept in memory
 * (a few KB; ~20 ms to build), so the page ships with the project and needs no build step or CDN.
 */
export function studyPageScript(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({ entryPoints: [ENTRY], bundle: true, write: false, format: 'esm', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'silent' });
    return out.outputFiles[0]!.text;
  })().catch((err: unknown) => {
    bundle = undefined; // let the next request try again
    throw err;
  });
  return bundle;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));
const STYLE = fileURLToPath(new URL('./page/study.css', import.meta.url));
let style: string | undefined;

/** The participant page's style sheet (a file, not an inline <style>: the page's CSP allows none). */
export function studyPageStyle(): string {
  return (style ??= readFileSync(STYLE, 'utf8'));
}
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

import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds what the extension's browser tests load — the unpacked extension (`npm run build:extension`'s
 * output) — only when a source is newer than the last build, under a lock so parallel test files never
 * build twice. A fresh clone builds once.
 */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const EXTENSION_SRC = join(ROOT, 'extension');
export const EXTENSION_OUT = join(EXTENSION_SRC, '.output/chrome-mv3');
const STAMP = '.zipp-built';

const SKIP = new Set(['node_modules', '.output', '.wxt', 'docs', '.git', 'dist']);

/** Newest modification time (ms) of any file under the given paths. */
export async function newestMtime(paths: string[]): Promise<number> {
  let newest = 0;
  const visit = async (p: string): Promise<void> => {
    const s = await stat(p).catch(() => undefined);
    if (!s) return;
    if (s.isFile()) newest = Math.max(newest, s.mtimeMs);
    else if (s.isDirectory()) {
      for (const e of await readdir(p)) if (!SKIP.has(e)) await visit(join(p, e));
    }
  };
  for (const p of paths) await visit(p);
  return newest;
}

/** When `dir` was last built for `key` (0 when never, or for another key). */
async function stampTime(dir: string, key: string): Promise<number> {
  const built = await readFile(join(dir, STAMP), 'utf8').catch(() => '');
  if (built.split('\n')[1] !== key) return 0;
  return (await stat(join(dir, STAMP)).catch(() => undefined))?.mtimeMs ?? 0;
}

/** Runs a command, failing with its output tail. */
export function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`))));
  });
}

/**
 * Rebuilds `outDir` with `build` when any input is newer than its stamp. A lock directory (mkdir is
 * atomic) makes concurrent callers wait for one build instead of starting their own.
 */
export async function buildIfStale(name: string, outDir: string, inputs: string[], build: () => Promise<void>, key = ''): Promise<void> {
  const lock = join(ROOT, '.tmp', `${name}.build-lock`);
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if ((await stampTime(outDir, key)) >= (await newestMtime(inputs))) return;
    try {
      await mkdir(lock);
    } catch {
      // Someone else is building; a lock older than 5 minutes was left by a killed run.
      const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`gave up waiting for the ${name} build lock (${lock})`);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      const started = Date.now();
      if ((await stampTime(outDir, key)) >= (await newestMtime(inputs))) return;
      await build();
      await mkdir(outDir, { recursive: true });
      // The stamp carries the build's start time, so a source saved during the build counts as newer.
      await writeFile(join(outDir, STAMP), `${new Date(started).toISOString()}\n${key}\n`);
      await utimes(join(outDir, STAMP), started / 1000, started / 1000);
      return;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/** The model folder the extension bundles: models/zipp-encoder, or ZIPP_EXTENSION_MODEL. */
export const EXTENSION_MODEL = process.env.ZIPP_EXTENSION_MODEL ? resolve(process.env.ZIPP_EXTENSION_MODEL) : join(ROOT, 'models/zipp-encoder');

const BUILD_INPUTS = [EXTENSION_SRC, join(ROOT, 'shared'), EXTENSION_MODEL, join(ROOT, 'models/data/reddit/communities.jsonl'), join(ROOT, 'package-lock.json')];
const wxtBuild = (...args: string[]) => () =>
  run(process.execPath, [join(ROOT, 'node_modules/wxt/bin/wxt.mjs'), 'build', ...args], EXTENSION_SRC, { ZIPP_EXTENSION_MODEL: EXTENSION_MODEL });

/** The unpacked Chrome MV3 extension, built if stale. */
export async function ensureExtensionBuilt(): Promise<string> {
  await buildIfStale('extension', EXTENSION_OUT, BUILD_INPUTS, wxtBuild(), EXTENSION_MODEL);
  return EXTENSION_OUT;
}

export const EXTENSION_OUT_FIREFOX = join(EXTENSION_SRC, '.output/firefox-mv3');

/**
 * The unpacked Firefox MV3 build (`npm run build:extension:firefox`), built if stale. Same lock as the
 * Chrome build: two WXT builds at once would both rewrite extension/.wxt.
 */
export async function ensureFirefoxExtensionBuilt(): Promise<string> {
  await buildIfStale('extension', EXTENSION_OUT_FIREFOX, BUILD_INPUTS, wxtBuild('-b', 'firefox', '--mv3'), EXTENSION_MODEL);
  return EXTENSION_OUT_FIREFOX;
}

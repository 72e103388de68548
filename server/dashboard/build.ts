import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../runtime/logger.ts';

const HERE = fileURLToPath(new URL('./', import.meta.url));
export const DASHBOARD_DIST = path.join(HERE, 'dist');
const STAMP = path.join(DASHBOARD_DIST, '.source-hash');
const LOCK = path.join(HERE, '.build-lock');
const SOURCES = ['index.html', 'vite.config.ts', 'src'];

/** A hash of every dashboard source file's path and content: the build is stale when it changes. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const visit = (rel: string) => {
    const abs = path.join(HERE, rel);
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(path.join(rel, name));
    } else {
      hash.update(rel).update('\0').update(readFileSync(abs)).update('\0');
    }
  };
  for (const s of SOURCES) visit(s);
  return hash.digest('hex');
}

export const dashboardIsFresh = () => existsSync(STAMP) && readFileSync(STAMP, 'utf8') === sourceHash();

/**
 * Returns the built dashboard directory, building it with Vite first when it is missing or older than
 * its sources, so a fresh clone needs no manual build step. Several servers starting at once (tests) take
 * turns through a lock directory; whoever gets it second finds the build fresh and skips it.
 */
export async function ensureDashboard(log?: Logger): Promise<string | undefined> {
  if (dashboardIsFresh()) return DASHBOARD_DIST;
  try {
    await withLock(async () => {
      if (dashboardIsFresh()) return;
      const started = Date.now();
      log?.info('building the dashboard (sources changed or no build yet)');
      const { build } = await import('vite');
      const { default: config } = await import('./vite.config.ts');
      await build({ ...config, configFile: false, logLevel: 'warn' });
      writeFileSync(STAMP, sourceHash());
      log?.info('dashboard built', { ms: Date.now() - started, dir: DASHBOARD_DIST });
    });
  } catch (err) {
    // Without Vite (an install without dev dependencies) or with a broken build, the API still serves;
    // an older build is better than none.
    const old = existsSync(path.join(DASHBOARD_DIST, 'index.html'));
    log?.warn(old ? 'dashboard build failed; serving the previous build' : 'dashboard build failed; serving the API only', {
      error: (err as Error).message.split('\n')[0],
    });
    return old ? DASHBOARD_DIST : undefined;
  }
  return DASHBOARD_DIST;
}

async function withLock(fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than two minutes belongs to a build that died; take it over.
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the dashboard build lock ${LOCK} is held too long; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

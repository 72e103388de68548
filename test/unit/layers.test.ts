import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The layers of .dependency-cruiser.cjs, checked by dependency-cruiser itself: shared ← models ← server,
 * shared ← extension, server's folders in their order, nothing imports test/, no cycles (type-only
 * imports included). The fixture tree holds one break of each kind, so the rules are seen to bite.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

async function cruise(cwd: string, dirs: string[]): Promise<{ rule: string; from: string; to: string }[]> {
  const run = promisify(execFile)(process.execPath, [DEPCRUISE, ...dirs, '--config', CONFIG, '--output-type', 'json'], { cwd, maxBuffer: 256 * 1024 * 1024 });
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const { stdout } = await run.catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  const report = JSON.parse(stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return report.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

describe('layers', () => {
  it('the project keeps every layer rule', async () => {
    expect(await cruise(ROOT, ['shared', 'models', 'server', 'extension', 'bin', 'test'])).toEqual([]);
  });

  it('each rule catches its break (fixture tree)', async () => {
    const found = await cruise(path.join(ROOT, 'test/fixtures/layers'), ['shared', 'models', 'server', 'extension', 'test']);
    expect(found.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort()).toEqual(
      [
        'extension-on-shared-only: extension/e.ts → models/m.ts',
        'no-cycles: shared/a.ts → shared/b.ts',
        'nothing-imports-test: models/m.ts → test/helper.ts',
        'server-jobs-below-bench-study-app-cli: server/jobs/j.ts → server/app/y.ts',
        'shared-is-the-bottom: shared/a.ts → server/app/y.ts',
      ].sort(),
    );
  });
});

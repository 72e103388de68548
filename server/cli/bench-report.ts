import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../shared/errors.ts';
import { studySections } from '../study/report.ts';
import { readManifest } from '../bench/manifest.ts';
import type { Section } from '../bench/report/document.ts';
import { writeReport, type ReportFiles } from '../bench/report/write.ts';
import { computeResults } from '../bench/results.ts';
import { BenchStore } from '../bench/store.ts';

/**
 * `zipp bench report`: the report of a finished run rebuilt from its manifest and store alone — no LLM,
 * engine or CLIP model is touched — optionally with the A/B study results of a server data directory.
 */
export async function renderBenchReport(outDir: string, study?: { dataDir: string }): Promise<ReportFiles> {
  const manifest = await readManifest(outDir);
  const dbPath = join(outDir, 'bench.db');
  if (!existsSync(dbPath)) throw new InputError(`${dbPath} not found: the run directory is incomplete; rerun zipp bench`);
  const store = new BenchStore(dbPath);
  try {
    const results = await computeResults(manifest, store);
    const extra: Section[] = study ? await studySections(study.dataDir) : [];
    return await writeReport(outDir, manifest, results, extra);
  } finally {
    store.close();
  }
}

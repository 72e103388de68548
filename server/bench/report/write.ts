import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toJson } from '../../runtime/json.ts';
import type { Manifest } from '../manifest.ts';
import type { BenchResults } from '../results.ts';
import { renderHtml, renderMarkdown, type Section } from './document.ts';
import { benchDocument } from './sections.ts';

export interface ReportFiles {
  markdown: string;
  html: string;
  results: string;
  charts: string[];
}

/** Writes report.md (+ charts/*.svg), the self-contained report.html and results.json into the run directory. */
export async function writeReport(dir: string, manifest: Manifest, results: BenchResults, extra: Section[] = []): Promise<ReportFiles> {
  const doc = await benchDocument(manifest, results, extra);
  await mkdir(join(dir, 'charts'), { recursive: true });
  const charts: string[] = [];
  for (const block of doc.sections.flatMap((s) => s.blocks)) {
    if (block.kind !== 'chart') continue;
    const path = join(dir, 'charts', `${block.chart.name}.svg`);
    await atomic(path, block.chart.svg);
    charts.push(path);
  }
  const files = { markdown: join(dir, 'report.md'), html: join(dir, 'report.html'), results: join(dir, 'results.json'), charts };
  await atomic(files.markdown, renderMarkdown(doc));
  await atomic(files.html, renderHtml(doc));
  await atomic(files.results, `${toJson(results)}\n`);
  return files;
}

async function atomic(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

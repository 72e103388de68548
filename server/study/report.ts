import type { Block, ReportDocument, Section } from '../bench/report/document.ts';
import { count } from '../bench/report/format.ts';
import { winRateBlocks } from '../bench/report/win-rates.ts';
import { InputError } from '../../shared/errors.ts';
import { allStudyResults, type StudyResults } from './results.ts';

/**
 * The A/B study in report form: per study, participants, then per condition A's win rate with the
 * exact binomial p-value (table + chart). Used by the server's results page and by
 * `zipp bench report --study DATA_DIR`, which appends it to a benchmark report.
 */
export async function studySection(r: StudyResults): Promise<Section> {
  const blocks: Block[] = [
    {
      kind: 'text',
      text: `${count(r.participants)} participant(s), ${count(r.finished)} finished. Each trial showed two images of one prompt in random left/right order without labels; the win rate is the share of trials in which the participant picked A's image (p: exact two-sided binomial test against 50%).`,
    },
  ];
  blocks.push(...(await winRateBlocks(r.conditions, (arm) => arm, `study-${r.study}`, `User study ${r.study}: win rate of A`)));
  if (r.conditions.length) {
    blocks.push({ kind: 'text', text: `Conditions: ${r.conditions.map((c) => `${c.condition} (${c.a} vs ${c.b})`).join('; ')}.` });
  }
  return { title: `User study: ${r.study}`, blocks };
}

/** Sections for every study recorded in a server data directory; an error when there is none. */
export async function studySections(dataDir: string): Promise<Section[]> {
  const all = allStudyResults(dataDir);
  if (all.length === 0) throw new InputError(`--study: no study results in ${dataDir} (no study.db, or no participant yet)`);
  return Promise.all(all.map(studySection));
}

export async function studyDocument(r: StudyResults): Promise<ReportDocument> {
  return { title: `ZIPP user study: ${r.study}`, subtitle: `results as of ${new Date().toISOString()}`, sections: [await studySection(r)] };
}

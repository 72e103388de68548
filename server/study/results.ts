import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { winRates, type WinRate } from '../../shared/metrics/winrate.ts';
import { StudyDb } from './db.ts';

/** The study's database file inside the server's data directory. */
export const studyDbPath = (dataDir: string) => join(dataDir, 'study.db');

export interface ConditionResult extends WinRate {
  condition: string;
}

export interface StudyResults {
  study: string;
  participants: number;
  finished: number;
  /** One row per condition: A's win rate over the decided trials and the exact two-sided binomial p. */
  conditions: ConditionResult[];
}

/**
 * Win rates per condition, as the paper's Table 15: the share of trials in which the participant picked
 * arm A's image, tested against 50% with the exact binomial test. Conditions are kept apart even when
 * two of them compare identically named arms.
 */
export function studyResults(db: StudyDb, study: string): StudyResults {
  const byCondition = new Map<string, ReturnType<StudyDb['choices']>>();
  for (const c of db.choices(study)) {
    let list = byCondition.get(c.condition);
    if (!list) byCondition.set(c.condition, (list = []));
    list.push(c);
  }
  const conditions: ConditionResult[] = [];
  for (const [condition, list] of byCondition) {
    const { aLabel, bLabel } = list[0]!;
    const [row] = winRates(list.map((c) => ({ a: aLabel, b: bLabel, winner: c.winner === 'a' ? aLabel : bLabel })));
    conditions.push({ condition, ...row! });
  }
  conditions.sort((x, y) => (x.condition < y.condition ? -1 : x.condition > y.condition ? 1 : 0));
  return { study, ...db.counts(study), conditions };
}

/** Results of every study in a data directory (none when no participant has joined yet). */
export function allStudyResults(dataDir: string): StudyResults[] {
  const path = studyDbPath(dataDir);
  if (!existsSync(path)) return [];
  const db = new StudyDb(path, { readonly: true });
  try {
    return db.studies().map((s) => studyResults(db, s));
  } finally {
    db.close();
  }
}

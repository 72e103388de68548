import { InputError } from '../../shared/errors.ts';
import { parseTable, readText, requireColumns } from '../datasets/tabular.ts';

/** A per-user scores table: `user,score` and one column per demographic axis. */
export interface ScoresTable {
  users: string[];
  scores: Float64Array;
  /** Axis name → one label per user, in row order. */
  axes: Record<string, string[]>;
}

export async function readScoresCsv(path: string): Promise<ScoresTable> {
  const label = `scores file ${path}`;
  const rows = parseTable(await readText(path, label), label);
  requireColumns(rows, ['user', 'score'], label);
  const axisNames = Object.keys(rows[0]!).filter((c) => c !== 'user' && c !== 'score');
  if (axisNames.length === 0) throw new InputError(`${label} has no demographic columns; add one column per axis (e.g. gender,region)`);
  const users: string[] = [];
  const scores = new Float64Array(rows.length);
  const axes: Record<string, string[]> = Object.fromEntries(axisNames.map((a) => [a, []]));
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const line = i + 2; // 1-based, after the header
    if (!r.user) throw new InputError(`${label} line ${line}: empty user`);
    if (seen.has(r.user)) throw new InputError(`${label} line ${line}: user ${r.user} appears twice; give one score per user`);
    seen.add(r.user);
    const score = Number(r.score);
    if (r.score === '' || !Number.isFinite(score)) throw new InputError(`${label} line ${line}: score '${r.score}' is not a number`);
    users.push(r.user);
    scores[i] = score;
    for (const a of axisNames) {
      const v = r[a]!;
      if (v === '') throw new InputError(`${label} line ${line}: empty ${a}; fill it in or remove the row`);
      axes[a]!.push(v);
    }
  });
  return { users, scores, axes };
}

import { z } from 'zod';
import type { Comparison } from '../../shared/metrics/winrate.ts';
import { InputError } from '../../shared/errors.ts';
import { parseTable, readText, requireColumns } from '../datasets/tabular.ts';

/** "tie", "none", "draw" or an empty cell mean no preference. */
const NO_WINNER = new Set(['', 'tie', 'none', 'draw', 'null']);

const Vote = z.object({ a: z.string().min(1), b: z.string().min(1), winner: z.string().nullable().optional() });

/**
 * Pairwise judgements from CSV (`a,b,winner`) or JSON (an array, or JSON lines, of {a, b, winner}):
 * conditions a and b were compared and `winner` (a's or b's name, or a tie) was preferred.
 */
export async function readVotes(path: string): Promise<Comparison[]> {
  const label = `votes file ${path}`;
  const text = await readText(path, label);
  const trimmed = text.trimStart();
  let raw: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      raw = JSON.parse(trimmed) as unknown[];
    } catch (err) {
      throw new InputError(`${label} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (trimmed.startsWith('{')) {
    raw = trimmed.split(/\r?\n/).filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        throw new InputError(`${label} line ${i + 1} is not valid JSON`);
      }
    });
  } else {
    const rows = parseTable(text, label);
    requireColumns(rows, ['a', 'b', 'winner'], label);
    raw = rows;
  }
  return raw.map((v, i) => {
    const parsed = Vote.safeParse(v);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(`${label} record ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message}; expected {a, b, winner}`);
    }
    const w = parsed.data.winner?.trim() ?? '';
    return { a: parsed.data.a, b: parsed.data.b, winner: NO_WINNER.has(w.toLowerCase()) ? null : w };
  });
}

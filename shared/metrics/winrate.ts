import { binomialTestTwoSided } from './binomial.ts';
import { InputError } from '../errors.ts';

/** One pairwise judgement: conditions `a` and `b` were shown, `winner` was picked (null = tie / no preference). */
export interface Comparison {
  a: string;
  b: string;
  winner: string | null;
}

export interface WinRate {
  a: string;
  b: string;
  /** Decisive trials (ties excluded). */
  n: number;
  wins_a: number;
  wins_b: number;
  ties: number;
  /** wins_a / n. */
  win_rate_a: number;
  /** Exact two-sided binomial test of wins_a out of n against 0.5. */
  p_value: number;
}

/**
 * Win rate of each pair of conditions, oriented as the pair was first seen (A vs B), with the exact
 * binomial test the paper's Table 15 reports. Ties are counted but left out of the test, as usual for a
 * sign test.
 */
export function winRates(comparisons: readonly Comparison[]): WinRate[] {
  const pairs = new Map<string, WinRate>();
  comparisons.forEach((c, i) => {
    if (c.a === c.b) throw new InputError(`comparison ${i + 1} pits '${c.a}' against itself`);
    if (c.winner !== null && c.winner !== c.a && c.winner !== c.b) {
      throw new InputError(`comparison ${i + 1}: winner '${c.winner}' is neither '${c.a}' nor '${c.b}'`);
    }
    const key = JSON.stringify([c.a, c.b].sort());
    let row = pairs.get(key);
    if (!row) {
      row = { a: c.a, b: c.b, n: 0, wins_a: 0, wins_b: 0, ties: 0, win_rate_a: 0, p_value: 1 };
      pairs.set(key, row);
    }
    if (c.winner === null) row.ties++;
    else if (c.winner === row.a) row.wins_a++;
    else row.wins_b++;
  });
  return [...pairs.values()].map((r) => {
    const n = r.wins_a + r.wins_b;
    return { ...r, n, win_rate_a: n ? r.wins_a / n : NaN, p_value: binomialTestTwoSided(r.wins_a, n) };
  });
}

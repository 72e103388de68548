import { createRng } from '../encoder/random.ts';
import { binomialTestTwoSided } from './binomial.ts';
import type { WinRate } from './winrate.ts';
import { InputError } from '../errors.ts';

/**
 * Paired comparison of two methods scored on the same trials (a benchmark's (user, prompt) pairs, each
 * score already averaged over seeds): the sign test the paper's Table 15 reports — wins, losses, ties,
 * the exact two-sided binomial p over the decisive trials — plus percentile bootstrap intervals that
 * resample whole trials, so A's and B's scores of one trial always travel together.
 *
 * Trials, not images, are the unit: three seeds of one rewritten prompt share the rewrite, and counting
 * them as three wins would triple n and shrink p without any more evidence. Likewise the prompts of one
 * user share that user's persona and taste: given each trial's `group` (its user), the bootstrap resamples
 * whole users, so the intervals do not pretend two prompts of one person are two people. (The sign test
 * itself counts trials, as the paper's does.)
 */
export interface PairedTrial {
  a: number;
  b: number;
  /** The cluster the trial belongs to (a benchmark: its user); the bootstrap resamples whole clusters. */
  group?: string;
}

/** The sign test's counts and p (as `winRates` reports them), plus the trial scores' bootstrap. */
export interface PairedComparison extends WinRate {
  /** Trials compared (decisive ones and ties). */
  trials: number;
  /**
   * The smallest p any outcome of n decisive trials can give (all of them won by one side): 2 · 0.5ⁿ.
   * Below 8 decisive trials no result can reach p < 0.01, whatever the scores.
   */
  min_p_value: number;
  mean_a: number;
  mean_b: number;
  /** Mean over trials of a − b. */
  mean_diff: number;
  /** Percentile bootstrap interval of mean_diff. */
  diff_ci: [number, number];
  /** Percentile bootstrap interval of win_rate_a (resamples without a decisive trial are skipped). */
  win_rate_ci: [number, number];
  /** Confidence level of both intervals. */
  level: number;
  resamples: number;
  /** What the bootstrap resampled: trials, or the clusters (users) of `groups` count. */
  resampled: 'trials' | 'groups';
  groups?: number;
  /**
   * Holm–Bonferroni adjusted p when this comparison is one of a family tested together (`holmAdjust`),
   * with the family's size: a report of 21 method pairs must not read one p < 0.01 as if it were alone.
   */
  p_holm?: number;
  family?: number;
}

export interface PairedOptions {
  /** Scores closer than this are a tie (default 1e-9). */
  tie?: number;
  /** Bootstrap resamples (default 10,000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 0): the same inputs always give the same interval. */
  seed?: number;
}

export function pairedComparison(aName: string, bName: string, trials: readonly PairedTrial[], options: PairedOptions = {}): PairedComparison {
  const tie = options.tie ?? 1e-9;
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  if (aName === bName) throw new InputError(`a paired comparison needs two methods, got '${aName}' twice`);
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new InputError(`resamples must be a whole number ≥ 1, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new InputError(`level must be in (0, 1), got ${level}`);
  const t = trials.length;
  const diff = new Float64Array(t);
  /** +1 A wins, −1 B wins, 0 tie. */
  const sign = new Int8Array(t);
  let sumA = 0;
  let sumB = 0;
  trials.forEach(({ a, b }, i) => {
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new InputError(`trial ${i + 1} has a non-finite score (${a}, ${b})`);
    sumA += a;
    sumB += b;
    diff[i] = a - b;
    sign[i] = a > b + tie ? 1 : b > a + tie ? -1 : 0;
  });
  let winsA = 0;
  let winsB = 0;
  for (const s of sign) if (s > 0) winsA++;
  else if (s < 0) winsB++;
  const n = winsA + winsB;

  // Resampling units: each trial alone, or every trial of one group together.
  const grouped = trials.some((x) => x.group !== undefined);
  const units: number[][] = grouped ? [...groupIndices(trials).values()] : Array.from({ length: t }, (_, i) => [i]);
  const diffs = new Float64Array(resamples);
  const rates: number[] = [];
  if (t > 0) {
    const rng = createRng(options.seed ?? 0);
    for (let r = 0; r < resamples; r++) {
      let d = 0;
      let w = 0;
      let decisive = 0;
      let taken = 0;
      for (let k = 0; k < units.length; k++) {
        for (const i of units[rng.int(units.length)]!) {
          taken++;
          d += diff[i]!;
          if (sign[i] !== 0) {
            decisive++;
            if (sign[i]! > 0) w++;
          }
        }
      }
      diffs[r] = d / taken;
      if (decisive > 0) rates.push(w / decisive);
    }
  }
  const alpha = (1 - level) / 2;
  return {
    a: aName,
    b: bName,
    trials: t,
    n,
    wins_a: winsA,
    wins_b: winsB,
    ties: t - n,
    win_rate_a: n ? winsA / n : NaN,
    p_value: binomialTestTwoSided(winsA, n),
    min_p_value: Math.min(1, 2 * 0.5 ** n),
    mean_a: t ? sumA / t : NaN,
    mean_b: t ? sumB / t : NaN,
    mean_diff: t ? (sumA - sumB) / t : NaN,
    diff_ci: t ? [quantile(diffs, alpha), quantile(diffs, 1 - alpha)] : [NaN, NaN],
    win_rate_ci: rates.length ? [quantile(Float64Array.from(rates), alpha), quantile(Float64Array.from(rates), 1 - alpha)] : [NaN, NaN],
    level,
    resamples,
    resampled: grouped ? 'groups' : 'trials',
    ...(grouped ? { groups: units.length } : {}),
  };
}

/** Trial indices per group, in first-seen order (a trial without a group is its own). */
function groupIndices(trials: readonly PairedTrial[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  trials.forEach((x, i) => {
    const key = x.group ?? `\u0000trial ${i}`;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(i);
  });
  return out;
}

/**
 * Holm–Bonferroni step-down adjustment of a family of p-values (same order out as in): sort ascending,
 * p₍ᵢ₎ · (m − i + 1) for the i-th smallest, made monotone, capped at 1. Controls the family-wise error
 * rate under any dependence between the tests.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, p * (m - rank)));
    out[i] = running;
  });
  return out;
}

/** The comparisons of one family with their Holm-adjusted p and the family size filled in. */
export function withHolm(family: readonly PairedComparison[]): PairedComparison[] {
  const adjusted = holmAdjust(family.map((c) => c.p_value));
  return family.map((c, i) => ({ ...c, p_holm: adjusted[i]!, family: family.length }));
}

/** Linear-interpolation quantile (NumPy's default, "type 7") of the values; sorts a copy. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * How the evidence reads, from the counts alone: "p < 0.01" and "p < 0.05" only when the exact test
 * gives them — after Holm's adjustment when the comparison is one of a family — and "n too small for
 * p < 0.01" when no outcome of so few decisive trials could.
 */
export function significanceLabel(c: Pick<PairedComparison, 'p_value' | 'min_p_value' | 'n' | 'p_holm' | 'family'>): string {
  if (c.n === 0) return 'no decisive trials';
  const p = c.p_holm ?? c.p_value;
  const of = c.p_holm !== undefined && (c.family ?? 1) > 1 ? ` (Holm, ${c.family} pairs)` : '';
  if (p < 0.01) return `p < 0.01${of}`;
  if (p < 0.05) return `p < 0.05${of}`;
  if (c.min_p_value >= 0.01) return `n.s. (${c.n} decisive trials cannot reach p < 0.01)`;
  return 'n.s.';
}

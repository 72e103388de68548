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
 * them as three wins would triple n and shrink p without any more evidence.
 */
export interface PairedTrial {
  a: number;
  b: number;
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

  const diffs = new Float64Array(resamples);
  const rates: number[] = [];
  if (t > 0) {
    const rng = createRng(options.seed ?? 0);
    for (let r = 0; r < resamples; r++) {
      let d = 0;
      let w = 0;
      let decisive = 0;
      for (let k = 0; k < t; k++) {
        const i = rng.int(t);
        d += diff[i]!;
        if (sign[i] !== 0) {
          decisive++;
          if (sign[i]! > 0) w++;
        }
      }
      diffs[r] = d / t;
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
  };
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
 * gives them, and "n too small for p < 0.01" when no outcome of so few decisive trials could.
 */
export function significanceLabel(c: Pick<PairedComparison, 'p_value' | 'min_p_value' | 'n'>): string {
  if (c.n === 0) return 'no decisive trials';
  if (c.p_value < 0.01) return 'p < 0.01';
  if (c.p_value < 0.05) return 'p < 0.05';
  if (c.min_p_value >= 0.01) return `n.s. (${c.n} decisive trials cannot reach p < 0.01)`;
  return 'n.s.';
}

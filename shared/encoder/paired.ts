import { createRng } from './random.ts';

/**
 * Paired comparison of two rankers on the same leave-one-out cases: is the encoder's gain over a baseline
 * more than noise? Per case, d_i = metric(model) − metric(baseline) (1/rank for MRR, 0/1 for hit@10).
 *   meanDifference  mean of d_i (the metric difference),
 *   ci95            2.5% / 97.5% quantiles of the mean over bootstrap resamples of the cases (seeded),
 *   better / worse  cases with d_i > 0 / d_i < 0 (ties dropped),
 *   signP           two-sided exact sign test: P(a split at least this uneven | no difference).
 * Users are independent draws, so resampling cases (one per user) is the right unit.
 */
export interface PairedDifference {
  meanDifference: number;
  ci95: [number, number];
  better: number;
  worse: number;
  signP: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;

export function pairedDifference(model: ArrayLike<number>, baseline: ArrayLike<number>, seed = 1, resamples = BOOTSTRAP_RESAMPLES): PairedDifference {
  const n = model.length;
  if (baseline.length !== n) throw new Error(`paired comparison needs one baseline value per case (${n} vs ${baseline.length})`);
  const d = Float64Array.from({ length: n }, (_, i) => model[i]! - baseline[i]!);
  let sum = 0;
  let better = 0;
  let worse = 0;
  for (const x of d) {
    sum += x;
    if (x > 0) better++;
    else if (x < 0) worse++;
  }
  const means = new Float64Array(n > 0 ? resamples : 0);
  const rng = createRng(seed);
  for (let b = 0; b < means.length; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)]!;
    means[b] = s / n;
  }
  means.sort();
  const q = (p: number) => (means.length ? means[Math.min(means.length - 1, Math.floor(p * means.length))]! : 0);
  return { meanDifference: n ? sum / n : 0, ci95: [q(0.025), q(0.975)], better, worse, signP: signTestP(better, worse) };
}

/** Two-sided exact binomial sign test (p = ½), summed in log space so thousands of cases do not underflow. */
export function signTestP(better: number, worse: number): number {
  const n = better + worse;
  if (n === 0) return 1;
  const k = Math.min(better, worse);
  const logHalfN = -n * Math.LN2;
  let logC = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC + logHalfN);
  }
  return Math.min(1, 2 * tail);
}

/** "+0.0005 [−0.0038, +0.0054], better on 342 / worse on 460 users, sign test p = 3e-5" */
export function formatPaired(p: PairedDifference): string {
  const s = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
  const pv = p.signP < 1e-3 ? p.signP.toExponential(0) : p.signP.toFixed(3);
  return `${s(p.meanDifference)} (95% bootstrap CI ${s(p.ci95[0])} to ${s(p.ci95[1])}); better on ${p.better}, worse on ${p.worse} users, sign test p = ${pv}`;
}

import type { CategoricalAxis } from './categories.ts';
import { rake, IpfError, type Dropped, type IpfOptions, type Targets } from './ipf.ts';

export interface SubgroupRow {
  /** Users of the category (after any dropping). */
  n: number;
  /** Their fraction of the sample. */
  sample_share: number;
  /** The population share raked to. */
  target_share: number;
  /** Unweighted mean score of the category. */
  mean: number;
  /** Mean score of the category under the IPF weights. */
  ipf_mean: number;
}

/** The `zipp metrics ipf` document: raw vs IPF aggregate and the per-subgroup table (the paper's Table 13). */
export interface IpfReport {
  /** Unweighted mean score. */
  raw: number;
  /** Σ w_i s_i with the raked weights. */
  ipf: number;
  /** 100 · (ipf − raw) / raw. */
  delta_pct: number;
  iterations: number;
  converged: boolean;
  max_discrepancy: number;
  /** Population standard deviation of the subgroup means (every category of every axis). */
  sigma: number;
  /** max − min of the subgroup means. */
  range: number;
  n: number;
  subgroups: Record<string, Record<string, SubgroupRow>>;
  dropped: Dropped;
}

/**
 * Reweights per-user scores to the population targets and tabulates every subgroup. σ and range are
 * taken over all subgroup means together, the way the paper's Table 13 summarises disparity.
 */
export function ipfReport(scores: ArrayLike<number>, axes: readonly CategoricalAxis[], targets: Targets, options: IpfOptions = {}): IpfReport {
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!)) throw new IpfError(`score of user ${i + 1} is not a finite number`);
  }
  const r = rake(axes, targets, options);
  let rawSum = 0;
  let ipf = 0;
  for (let i = 0; i < n; i++) {
    if (!r.kept[i]) continue;
    rawSum += scores[i]!;
    ipf += r.weights[i]! * scores[i]!;
  }
  const raw = rawSum / r.keptCount;

  const subgroups: IpfReport['subgroups'] = {};
  const means: number[] = [];
  for (const axis of axes) {
    const k = axis.categories.length;
    const count = new Float64Array(k);
    const sum = new Float64Array(k);
    const wsum = new Float64Array(k);
    const wscore = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      if (!r.kept[i]) continue;
      const c = axis.codes[i]!;
      count[c]!++;
      sum[c]! += scores[i]!;
      wsum[c]! += r.weights[i]!;
      wscore[c]! += r.weights[i]! * scores[i]!;
    }
    const table: Record<string, SubgroupRow> = {};
    axis.categories.forEach((cat, c) => {
      if (count[c] === 0) return;
      const mean = sum[c]! / count[c]!;
      means.push(mean);
      table[cat] = {
        n: count[c]!,
        sample_share: count[c]! / r.keptCount,
        target_share: r.targets[axis.name]![cat] ?? 0,
        mean,
        ipf_mean: wsum[c]! > 0 ? wscore[c]! / wsum[c]! : NaN,
      };
    });
    subgroups[axis.name] = table;
  }
  const { sigma, range } = spread(means);
  return {
    raw,
    ipf,
    delta_pct: raw === 0 ? 0 : (100 * (ipf - raw)) / raw,
    iterations: r.iterations,
    converged: r.converged,
    max_discrepancy: r.maxDiscrepancy,
    sigma,
    range,
    n: r.keptCount,
    subgroups,
    dropped: r.dropped,
  };
}

/** Population standard deviation and max − min of a list of values. */
export function spread(values: readonly number[]): { sigma: number; range: number } {
  if (values.length === 0) return { sigma: 0, range: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { sigma: Math.sqrt(variance), range: Math.max(...values) - Math.min(...values) };
}

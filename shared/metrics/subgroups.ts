import type { CategoricalAxis } from './categories.ts';
import { rake, IpfError, type Dropped, type IpfOptions, type Targets } from './ipf.ts';

export interface SubgroupRow {
  /** Users of the category (every user of the sample, raked or not). */
  n: number;
  /** Their fraction of the whole sample. */
  sample_share: number;
  /** The population share raked to; null when the category has no target or its axis is not raked. */
  target_share: number | null;
  /** Unweighted mean score of the category. */
  mean: number;
  /** Mean score of the category's raked users under the IPF weights; null when none of them was raked. */
  ipf_mean: number | null;
}

/** The `zipp metrics ipf` document: raw vs IPF aggregate and the per-subgroup table (the paper's Tables 13–14). */
export interface IpfReport {
  /** Unweighted mean score over every user (none left out). */
  raw: number;
  /** Unweighted mean over the users that took part in raking (= raw when none was dropped). */
  raw_raked: number;
  /** Σ w_i s_i with the raked weights. */
  ipf: number;
  /**
   * 100 · (ipf − raw_raked) / raw_raked: what reweighting alone changes, over the same users (= against
   * `raw` when no user was dropped). Against `raw` it would also count the users left out of raking.
   */
  delta_pct: number;
  iterations: number;
  converged: boolean;
  max_discrepancy: number;
  /** Population standard deviation of the subgroup means (every category of every axis in the table). */
  sigma: number;
  /** max − min of the subgroup means. */
  range: number;
  /** Every user. */
  n: number;
  /** Users that took part in raking (the others had a category without a target). */
  n_raked: number;
  /** The raked axes, then the axes only tabulated. */
  axes: { raked: string[]; tabulated: string[] };
  subgroups: Record<string, Record<string, SubgroupRow>>;
  dropped: Dropped;
}

export interface IpfReportOptions extends IpfOptions {
  /** Axes shown per subgroup but not raked (no targets for them). */
  tabulate?: readonly CategoricalAxis[];
}

/**
 * Reweights per-user scores to the population targets and tabulates every subgroup of the raked and the
 * tabulated axes over the whole sample. σ and range are taken over all subgroup means together, the way
 * the paper's Table 13 summarises disparity. With `dropMissing`, users in a category without a target
 * take no part in raking but still count in `raw`, `n` and their subgroup rows.
 */
export function ipfReport(scores: ArrayLike<number>, axes: readonly CategoricalAxis[], targets: Targets, options: IpfReportOptions = {}): IpfReport {
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!)) throw new IpfError(`score of user ${i + 1} is not a finite number`);
  }
  const tabulate = options.tabulate ?? [];
  for (const t of tabulate) {
    if (t.codes.length !== n) throw new IpfError(`axis '${t.name}' has ${t.codes.length} labels for ${n} users`);
    if (axes.some((a) => a.name === t.name)) throw new IpfError(`axis '${t.name}' is both raked and only tabulated`);
  }
  const r = rake(axes, targets, options);
  let all = 0;
  let rawSum = 0;
  let ipf = 0;
  for (let i = 0; i < n; i++) {
    all += scores[i]!;
    if (!r.kept[i]) continue;
    rawSum += scores[i]!;
    ipf += r.weights[i]! * scores[i]!;
  }
  const raw = all / n;

  const subgroups: IpfReport['subgroups'] = {};
  const means: number[] = [];
  for (const axis of [...axes, ...tabulate]) {
    const raked = axes.includes(axis);
    const k = axis.categories.length;
    const count = new Float64Array(k);
    const sum = new Float64Array(k);
    const wsum = new Float64Array(k);
    const wscore = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = axis.codes[i]!;
      count[c]!++;
      sum[c]! += scores[i]!;
      if (!r.kept[i]) continue;
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
        sample_share: count[c]! / n,
        target_share: raked ? (r.targets[axis.name]![cat] ?? null) : null,
        mean,
        ipf_mean: wsum[c]! > 0 ? wscore[c]! / wsum[c]! : null,
      };
    });
    subgroups[axis.name] = table;
  }
  const { sigma, range } = spread(means);
  return {
    raw,
    raw_raked: rawSum / r.keptCount,
    ipf,
    delta_pct: rawSum === 0 ? 0 : (100 * (ipf - rawSum / r.keptCount)) / (rawSum / r.keptCount),
    iterations: r.iterations,
    converged: r.converged,
    max_discrepancy: r.maxDiscrepancy,
    sigma,
    range,
    n,
    n_raked: r.keptCount,
    axes: { raked: axes.map((a) => a.name), tabulated: tabulate.map((a) => a.name) },
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

/**
 * Does the encoder's attention characterise a user? Three per-user measures, averaged over held-out users
 * by `zipp encoder eval` (the `attention` block of its report):
 *
 * - evidence value: the hidden community is ranked by the cosine baseline from only 3 of the user's
 *   communities — their top 3 by attention, their top 3 by activity, or 3 drawn at random. If attention
 *   picks what is distinctive, its 3 carry the most evidence (highest MRR).
 * - popularity bias: Spearman correlation, within a user, between attention and log popularity (training
 *   users of the community). Near 1 means attention just follows popularity.
 * - concentration: normalised entropy of the attention, H(α) / ln n (1 = uniform, which tells persona
 *   verbalization nothing).
 */

/** Communities kept for the evidence test. */
export const EVIDENCE_COMMUNITIES = 3;

/** Ranks 1..n with ties given their average rank (what Spearman's correlation needs). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = mean;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rank correlation; undefined when either side is constant (no ordering to compare). */
export function spearman(x: readonly number[], y: readonly number[]): number | undefined {
  if (x.length !== y.length) throw new Error(`spearman needs paired values (${x.length} vs ${y.length})`);
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const n = x.length;
  const mx = rx.reduce((s, v) => s + v, 0) / n;
  const my = ry.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : undefined;
}

/** H(p) / ln n of a distribution over n ≥ 2 items (1 = uniform, 0 = all mass on one). */
export function normalizedEntropy(p: readonly number[]): number | undefined {
  if (p.length < 2) return undefined;
  const total = p.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return undefined;
  let h = 0;
  for (const v of p) if (v > 0) h -= (v / total) * Math.log(v / total);
  return h / Math.log(p.length);
}

/** Indices of the k largest values (ties: the earlier index first). */
export function topIndices(values: readonly number[], k: number): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

/** Running means that skip undefined values (users for whom a measure is not defined). */
export class MeanOf {
  private sum = 0;
  private n = 0;
  add(x: number | undefined): void {
    if (x === undefined || !Number.isFinite(x)) return;
    this.sum += x;
    this.n++;
  }
  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n ? this.sum / this.n : 0;
  }
}

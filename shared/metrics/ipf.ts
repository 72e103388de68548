import type { CategoricalAxis } from './categories.ts';
import { InputError } from '../errors.ts';

/** Population shares per axis and category, e.g. { gender: { female: 0.497, male: 0.503 } }. */
export type Targets = Record<string, Record<string, number>>;

export interface IpfOptions {
  /** Stop once every weighted marginal is within epsilon of its target share (paper: 1e-4). */
  epsilon?: number;
  /** Full cycles over the axes before giving up (reported as converged: false). */
  maxIterations?: number;
  /**
   * Without it, a sample category absent from the targets or a target category with no sample is an
   * error. With it, such users are left out and such targets removed (the axis renormalised), and
   * everything dropped is listed in the result.
   */
  dropMissing?: boolean;
}

export interface Dropped {
  /** Sample categories not in the targets: axis → category → users dropped for it. */
  sampleCategories: Record<string, Record<string, number>>;
  /** Target categories with no user (left): axis → category → target share removed. */
  targetCategories: Record<string, Record<string, number>>;
  /** Users left out (each counted once, however many of their labels were missing). */
  users: number;
}

export interface IpfWeights {
  /** One weight per input user, summing to 1 over the kept users; 0 for dropped users. */
  weights: Float64Array;
  /** 1 where user i took part, 0 where it was dropped for a category missing from the targets. */
  kept: Uint8Array;
  keptCount: number;
  /** Full cycles over the axes that were run. */
  iterations: number;
  converged: boolean;
  /** max over axes and categories of |weighted share − target share| at the end. */
  maxDiscrepancy: number;
  /** Target shares actually used (after dropping and renormalising), axis → category. */
  targets: Targets;
  dropped: Dropped;
}

/** A problem with the inputs to raking; the message names the axis/category and the fix. */
export class IpfError extends InputError {}

const SHARE_TOLERANCE = 1e-6;

/** Per category code of an axis: its target share, or NaN when it is not raked (dropped). */
interface AxisPlan {
  axis: CategoricalAxis;
  target: Float64Array;
}

/**
 * Iterative proportional fitting (raking, Deming & Stephan 1940) as in the paper's Algorithm 1: start from
 * equal weights, visit each axis in turn and scale the weights of every category by target / current
 * share, renormalise, and repeat full cycles until every weighted marginal is within epsilon of its target.
 */
export function rake(axes: readonly CategoricalAxis[], targets: Targets, options: IpfOptions = {}): IpfWeights {
  const epsilon = options.epsilon ?? 1e-4;
  const maxIterations = options.maxIterations ?? 100;
  const dropMissing = options.dropMissing ?? false;
  if (!(epsilon > 0)) throw new IpfError(`epsilon must be positive, got ${epsilon}`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) throw new IpfError(`maxIterations must be ≥ 1, got ${maxIterations}`);
  if (axes.length === 0) throw new IpfError('need at least one demographic axis');
  const n = axes[0]!.codes.length;
  if (n === 0) throw new IpfError('the sample is empty');
  for (const axis of axes) {
    if (axis.codes.length !== n) throw new IpfError(`axis '${axis.name}' has ${axis.codes.length} labels for ${n} users`);
  }
  checkTargetAxes(axes, targets);

  const dropped: Dropped = { sampleCategories: {}, targetCategories: {}, users: 0 };
  const plan = axes.map((axis) => planAxis(axis, targets[axis.name]!, dropMissing, dropped));

  // Users with any label outside the targets are left out of both the raw and the reweighted numbers.
  const kept = new Uint8Array(n).fill(1);
  for (const { axis, target } of plan) {
    const counts = new Uint32Array(axis.categories.length);
    for (let i = 0; i < n; i++) {
      const c = axis.codes[i]!;
      if (Number.isNaN(target[c]!)) {
        counts[c]!++;
        kept[i] = 0;
      }
    }
    axis.categories.forEach((cat, c) => {
      if (counts[c]! > 0) (dropped.sampleCategories[axis.name] ??= {})[cat] = counts[c]!;
    });
  }
  let keptCount = 0;
  for (let i = 0; i < n; i++) keptCount += kept[i]!;
  dropped.users = n - keptCount;
  if (keptCount === 0) throw new IpfError('no user is left after dropping categories missing from the targets');

  // Dropping users can empty a category of another axis; its target then has nobody to carry it.
  for (const { axis, target } of plan) {
    const counts = new Uint32Array(axis.categories.length);
    for (let i = 0; i < n; i++) if (kept[i]) counts[axis.codes[i]!]!++;
    axis.categories.forEach((cat, c) => {
      if (counts[c] === 0 && !Number.isNaN(target[c]!)) {
        if (!dropMissing) throw new IpfError(`target category ${axis.name}=${cat} has no users in the sample; remove it or pass --drop-missing`);
        if (target[c]! > 0) (dropped.targetCategories[axis.name] ??= {})[cat] = target[c]!;
        target[c] = NaN;
      }
    });
    renormalise(target, axis.name);
  }

  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = kept[i]! / keptCount;
  const margins = plan.map(({ axis }) => new Float64Array(axis.categories.length));
  const factor = plan.map(({ axis }) => new Float64Array(axis.categories.length));

  let iterations = 0;
  let discrepancy = measure(plan, margins, w);
  while (discrepancy >= epsilon && iterations < maxIterations) {
    iterations++;
    plan.forEach(({ axis, target }, k) => {
      // margins[0] is current from measure(); later axes changed when the earlier ones were scaled.
      const m = margins[k]!;
      if (k > 0) weightedCounts(axis.codes, w, m);
      const f = factor[k]!;
      let total = 0;
      for (let c = 0; c < m.length; c++) {
        f[c] = m[c]! > 0 ? target[c]! / m[c]! : 0;
        total += m[c]! * f[c]!;
      }
      // Folding the renormalisation (Σw = 1) into the factors saves a pass over the users.
      for (let c = 0; c < m.length; c++) f[c] = f[c]! / total;
      const codes = axis.codes;
      for (let i = 0; i < n; i++) w[i] = w[i]! * f[codes[i]!]!;
    });
    discrepancy = measure(plan, margins, w);
  }

  const used: Targets = {};
  for (const { axis, target } of plan) {
    used[axis.name] = Object.fromEntries(axis.categories.flatMap((cat, c) => (Number.isNaN(target[c]!) ? [] : [[cat, target[c]!]])));
  }
  return { weights: w, kept, keptCount, iterations, converged: discrepancy < epsilon, maxDiscrepancy: discrepancy, targets: used, dropped };
}

function checkTargetAxes(axes: readonly CategoricalAxis[], targets: Targets): void {
  for (const name of Object.keys(targets)) {
    if (!axes.some((a) => a.name === name)) {
      throw new IpfError(`the targets name axis '${name}' but the sample has no such column; add the column or remove the axis from the targets`);
    }
  }
  for (const axis of axes) {
    if (!targets[axis.name]) {
      throw new IpfError(`axis '${axis.name}' has no targets; add "${axis.name}": {"<category>": share, ...} to the targets`);
    }
  }
}

function planAxis(axis: CategoricalAxis, shares: Record<string, number>, dropMissing: boolean, dropped: Dropped): AxisPlan {
  let sum = 0;
  for (const [cat, share] of Object.entries(shares)) {
    if (!(typeof share === 'number' && Number.isFinite(share) && share >= 0)) {
      throw new IpfError(`target ${axis.name}=${cat} must be a share ≥ 0, got ${String(share)}`);
    }
    sum += share;
  }
  if (Math.abs(sum - 1) > SHARE_TOLERANCE) {
    throw new IpfError(`the target shares of axis '${axis.name}' sum to ${+sum.toFixed(6)}, not 1; fix the targets`);
  }
  const target = new Float64Array(axis.categories.length);
  axis.categories.forEach((cat, c) => {
    const share = shares[cat];
    if (share === undefined && !dropMissing) {
      throw new IpfError(`sample category ${axis.name}=${cat} is missing from the targets; add it or pass --drop-missing`);
    }
    target[c] = share ?? NaN;
  });
  const present = new Set(axis.categories);
  for (const [cat, share] of Object.entries(shares)) {
    if (present.has(cat) || share === 0) continue;
    if (!dropMissing) throw new IpfError(`target category ${axis.name}=${cat} has no users in the sample; remove it or pass --drop-missing`);
    (dropped.targetCategories[axis.name] ??= {})[cat] = share;
  }
  return { axis, target };
}

/** Rescales the raked target shares of an axis to sum to 1 after some were dropped. */
function renormalise(target: Float64Array, axisName: string): void {
  let sum = 0;
  for (const t of target) if (!Number.isNaN(t)) sum += t;
  if (!(sum > 0)) throw new IpfError(`axis '${axisName}' has no target share left after dropping missing categories`);
  for (let c = 0; c < target.length; c++) target[c] = target[c]! / sum;
}

/**
 * Weighted category totals. Consecutive users often share a category, and a single running total per
 * category would make every addition wait for the previous one; four interleaved lanes (user i adds to
 * lane i mod 4) keep four additions in flight, about 1.5× faster on a million users.
 */
function weightedCounts(codes: Uint32Array, w: Float64Array, out: Float64Array): void {
  const k = out.length;
  const lanes = new Float64Array(4 * k);
  const n = codes.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    lanes[codes[i]! * 4]! += w[i]!;
    lanes[codes[i + 1]! * 4 + 1]! += w[i + 1]!;
    lanes[codes[i + 2]! * 4 + 2]! += w[i + 2]!;
    lanes[codes[i + 3]! * 4 + 3]! += w[i + 3]!;
  }
  for (; i < n; i++) lanes[codes[i]! * 4]! += w[i]!;
  for (let c = 0; c < k; c++) out[c] = lanes[c * 4]! + lanes[c * 4 + 1]! + lanes[c * 4 + 2]! + lanes[c * 4 + 3]!;
}

/** Recomputes every axis' weighted shares and returns the largest gap to a target. */
function measure(plan: AxisPlan[], margins: Float64Array[], w: Float64Array): number {
  plan.forEach(({ axis }, k) => weightedCounts(axis.codes, w, margins[k]!));
  let total = 0;
  for (const v of margins[0]!) total += v;
  let worst = 0;
  plan.forEach(({ target }, k) => {
    const m = margins[k]!;
    for (let c = 0; c < m.length; c++) {
      if (!Number.isNaN(target[c]!)) worst = Math.max(worst, Math.abs(m[c]! / total - target[c]!));
    }
  });
  return worst;
}

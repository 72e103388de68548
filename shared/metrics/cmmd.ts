import { assertSameDim, l2Normalize, type EmbeddingMatrix } from './embeddings.ts';
import { rbfCenteredSum, type RbfKernelBackend } from './rbf-kernel.ts';
import { InputError } from '../errors.ts';

/**
 * `biased`: the google-research estimator, means over the full kernel matrices (diagonal included; the
 * minimum-variance one, and what published CMMD numbers use). `unbiased`: the diagonal terms k(x_i, x_i)
 * = 1 left out of the within-set means (Gretton et al.'s MMD²_u), so a small set is not rewarded for
 * matching itself — what a per-user comparison of a handful of images needs. It can be slightly negative.
 */
export const CMMD_ESTIMATORS = ['biased', 'unbiased'] as const;
export type CmmdEstimator = (typeof CMMD_ESTIMATORS)[number];

export interface CmmdOptions {
  /** RBF bandwidth; the reference implementation uses 10. */
  sigma?: number;
  /** Multiplier of the MMD²; the reference reports ×1000. */
  scale?: number;
  /** Default `biased`. */
  estimator?: CmmdEstimator;
}

export interface CmmdResult {
  cmmd: number;
  n_x: number;
  n_y: number;
  dim: number;
  estimator: CmmdEstimator;
}

/**
 * CMMD (Jayasumana et al.) as the google-research reference computes it: L2-normalise both sets, Gaussian
 * RBF with γ = 1/(2σ²), and the biased estimator scale · (mean K_xx + mean K_yy − 2 mean K_xy) with the
 * means over the full matrices, diagonal included (or, with `estimator: 'unbiased'`, without the
 * diagonal). Lower is closer. Runs the TypeScript kernel.
 */
export function cmmd(x: EmbeddingMatrix, y: EmbeddingMatrix, options: CmmdOptions = {}): CmmdResult {
  const p = prepare(x, y, options);
  return finish(p, rbfCenteredSum(p.xn, undefined, p.gamma), rbfCenteredSum(p.yn, undefined, p.gamma), rbfCenteredSum(p.xn, p.yn, p.gamma));
}

/** The same value with the kernel sums delegated to another backend (e.g. onnxruntime on the server). */
export async function cmmdWith(
  backend: RbfKernelBackend,
  x: EmbeddingMatrix,
  y: EmbeddingMatrix,
  options: CmmdOptions = {},
): Promise<CmmdResult> {
  const p = prepare(x, y, options);
  const sxx = await backend.centeredSum(p.xn, undefined, p.gamma);
  const syy = await backend.centeredSum(p.yn, undefined, p.gamma);
  const sxy = await backend.centeredSum(p.xn, p.yn, p.gamma);
  return finish(p, sxx, syy, sxy);
}

interface Prepared {
  xn: EmbeddingMatrix;
  yn: EmbeddingMatrix;
  gamma: number;
  scale: number;
  estimator: CmmdEstimator;
}

function prepare(x: EmbeddingMatrix, y: EmbeddingMatrix, options: CmmdOptions): Prepared {
  const sigma = options.sigma ?? 10;
  const scale = options.scale ?? 1000;
  const estimator = options.estimator ?? 'biased';
  if (!(sigma > 0)) throw new InputError(`sigma must be positive, got ${sigma}`);
  if (!CMMD_ESTIMATORS.includes(estimator)) throw new InputError(`estimator must be one of ${CMMD_ESTIMATORS.join(', ')}, got ${String(estimator)}`);
  assertSameDim(x, y, 'x embeddings', 'y embeddings');
  if (estimator === 'unbiased' && (x.rows < 2 || y.rows < 2)) {
    throw new InputError(`the unbiased estimator needs at least 2 embeddings in each set, got ${x.rows} and ${y.rows}; use the biased one or add embeddings`);
  }
  return { xn: l2Normalize(x, 'x embeddings'), yn: l2Normalize(y, 'y embeddings'), gamma: 1 / (2 * sigma * sigma), scale, estimator };
}

/**
 * The +1 of every kernel value cancels in mean K_xx + mean K_yy − 2 mean K_xy, so centred sums suffice.
 * The diagonal's centred terms are k(x_i, x_i) − 1 = 0 (exactly so in the TypeScript kernel, up to
 * float32 rounding in onnxruntime), so leaving the diagonal out only changes the divisors to n(n − 1).
 */
function finish(p: Prepared, sxx: number, syy: number, sxy: number): CmmdResult {
  const n = p.xn.rows;
  const m = p.yn.rows;
  const within = p.estimator === 'biased' ? [n * n, m * m] : [n * (n - 1), m * (m - 1)];
  const mmd2 = sxx / within[0]! + syy / within[1]! - (2 * sxy) / (n * m);
  return { cmmd: p.scale * mmd2, n_x: n, n_y: m, dim: p.xn.dim, estimator: p.estimator };
}

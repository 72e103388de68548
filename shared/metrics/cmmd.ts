import { assertSameDim, l2Normalize, type EmbeddingMatrix } from './embeddings.ts';
import { rbfCenteredSum, type RbfKernelBackend } from './rbf-kernel.ts';

export interface CmmdOptions {
  /** RBF bandwidth; the reference implementation uses 10. */
  sigma?: number;
  /** Multiplier of the MMD²; the reference reports ×1000. */
  scale?: number;
}

export interface CmmdResult {
  cmmd: number;
  n_x: number;
  n_y: number;
  dim: number;
}

/**
 * CMMD (Jayasumana et al.) as the google-research reference computes it: L2-normalise both sets, Gaussian
 * RBF with γ = 1/(2σ²), and the biased estimator scale · (mean K_xx + mean K_yy − 2 mean K_xy) with the
 * means over the full matrices, diagonal included. Lower is closer. Runs the TypeScript kernel.
 */
export function cmmd(x: EmbeddingMatrix, y: EmbeddingMatrix, options: CmmdOptions = {}): CmmdResult {
  const { xn, yn, gamma, scale } = prepare(x, y, options);
  return finish(xn, yn, scale, rbfCenteredSum(xn, undefined, gamma), rbfCenteredSum(yn, undefined, gamma), rbfCenteredSum(xn, yn, gamma));
}

/** The same value with the kernel sums delegated to another backend (e.g. onnxruntime on the server). */
export async function cmmdWith(
  backend: RbfKernelBackend,
  x: EmbeddingMatrix,
  y: EmbeddingMatrix,
  options: CmmdOptions = {},
): Promise<CmmdResult> {
  const { xn, yn, gamma, scale } = prepare(x, y, options);
  const sxx = await backend.centeredSum(xn, undefined, gamma);
  const syy = await backend.centeredSum(yn, undefined, gamma);
  const sxy = await backend.centeredSum(xn, yn, gamma);
  return finish(xn, yn, scale, sxx, syy, sxy);
}


function prepare(x: EmbeddingMatrix, y: EmbeddingMatrix, options: CmmdOptions) {
  const sigma = options.sigma ?? 10;
  const scale = options.scale ?? 1000;
  if (!(sigma > 0)) throw new RangeError(`sigma must be positive, got ${sigma}`);
  assertSameDim(x, y, 'x embeddings', 'y embeddings');
  return { xn: l2Normalize(x, 'x embeddings'), yn: l2Normalize(y, 'y embeddings'), gamma: 1 / (2 * sigma * sigma), scale };
}

/** The +1 of every kernel value cancels in mean K_xx + mean K_yy − 2 mean K_xy, so centred sums suffice. */
function finish(x: EmbeddingMatrix, y: EmbeddingMatrix, scale: number, sxx: number, syy: number, sxy: number): CmmdResult {
  const n = x.rows;
  const m = y.rows;
  const mmd2 = sxx / (n * n) + syy / (m * m) - (2 * sxy) / (n * m);
  return { cmmd: scale * mmd2, n_x: n, n_y: m, dim: x.dim };
}

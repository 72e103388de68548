import { InputError } from '../errors.ts';

/**
 * A set of embeddings as one row-major Float32Array: the layout CLIP exports, `.npy` files and ONNX
 * tensors already use, so nothing is copied per row and the metric kernels read memory in order.
 */
export interface EmbeddingMatrix {
  readonly rows: number;
  readonly dim: number;
  /** rows × dim values, row i at [i·dim, (i+1)·dim). */
  readonly data: Float32Array;
}

/** Thrown for malformed embedding input; the message names what is wrong and how to fix it. */
export class EmbeddingError extends InputError {}

/** Wraps a flat buffer, checking that its length is rows × dim and that every value is finite. */
export function embeddingMatrix(data: Float32Array, rows: number, dim: number, label = 'embeddings'): EmbeddingMatrix {
  if (!Number.isInteger(rows) || rows < 1) throw new EmbeddingError(`${label}: need at least one embedding, got ${rows}`);
  if (!Number.isInteger(dim) || dim < 1) throw new EmbeddingError(`${label}: embedding dimension must be ≥ 1, got ${dim}`);
  if (data.length !== rows * dim) {
    throw new EmbeddingError(`${label}: expected ${rows} × ${dim} = ${rows * dim} values, got ${data.length}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new EmbeddingError(`${label}: row ${Math.floor(i / dim)} has a non-finite value at column ${i % dim}`);
    }
  }
  return { rows, dim, data };
}

/** Builds a matrix from nested arrays (JSON input), requiring every row to have the same length. */
export function fromRows(rows: readonly (readonly number[])[], label = 'embeddings'): EmbeddingMatrix {
  if (rows.length === 0) throw new EmbeddingError(`${label}: need at least one embedding, got an empty list`);
  const dim = rows[0]!.length;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) {
      throw new EmbeddingError(`${label}: row ${i} has ${row.length} values but row 0 has ${dim}; all rows must be equally long`);
    }
    data.set(row, i * dim);
  });
  return embeddingMatrix(data, rows.length, dim, label);
}

/** Row i as a view (no copy). */
export const row = (m: EmbeddingMatrix, i: number): Float32Array => m.data.subarray(i * m.dim, (i + 1) * m.dim);

/** Squared L2 norm of every row, accumulated in double precision. */
export function squaredNorms(m: EmbeddingMatrix): Float64Array {
  const out = new Float64Array(m.rows);
  const { data, dim } = m;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let k = i * dim, end = k + dim; k < end; k++) s += data[k]! * data[k]!;
    out[i] = s;
  }
  return out;
}

/** A copy with every row scaled to unit length; a zero row has no direction and is rejected. */
export function l2Normalize(m: EmbeddingMatrix, label = 'embeddings'): EmbeddingMatrix {
  const norms = squaredNorms(m);
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const n = Math.sqrt(norms[i]!);
    if (n === 0) throw new EmbeddingError(`${label}: row ${i} is all zeros and cannot be normalised`);
    const inv = 1 / n;
    for (let k = i * m.dim, end = k + m.dim; k < end; k++) out[k] = m.data[k]! * inv;
  }
  return { rows: m.rows, dim: m.dim, data: out };
}

/** Both sets must live in the same embedding space (same dimension). */
export function assertSameDim(a: EmbeddingMatrix, b: EmbeddingMatrix, labelA: string, labelB: string): void {
  if (a.dim !== b.dim) {
    throw new EmbeddingError(`${labelA} has dimension ${a.dim} but ${labelB} has ${b.dim}; embed both with the same model`);
  }
}

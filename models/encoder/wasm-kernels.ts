import * as tf from '@tensorflow/tfjs';

/**
 * UnsortedSegmentSum for TensorFlow.js' wasm backend, which ships without it. tf.gather's gradient is
 * a segment sum, so without this kernel a gathered table (the community embeddings, the per-step
 * projections of each unique community) cannot be trained on wasm. The kernel runs in JavaScript on the
 * wasm heap: one pass over the rows, no copies.
 */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function unsortedSegmentSum({ inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as WasmBackendLike;
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  const outVals = wasm.typedArrayFromHeap(out);
  outVals.fill(0);
  const xVals = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  for (let r = 0; r < ids.length; r++) {
    const seg = ids[r]!;
    if (seg < 0 || seg >= numSegments) continue; // TensorFlow drops out-of-range ids the same way
    const o = seg * rowSize;
    const i = r * rowSize;
    for (let c = 0; c < rowSize; c++) outVals[o + c]! += xVals[i + c]!;
  }
  return out;
}

/**
 * Transpose of the last two axes as a blocked JavaScript loop on the wasm heap: the wasm kernel moved
 * ~60 M elements/s here (26 ms for a [512, 2878] matrix), a 32×32-blocked copy is several times faster.
 * Other permutations go to the original kernel.
 */
function fastTranspose(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    const r = perm.length;
    const swapsLastTwo = r >= 2 && perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
    if (!swapsLastTwo || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args);
    const wasm = args.backend as unknown as WasmBackendLike;
    const rows = x.shape[r - 2]!;
    const cols = x.shape[r - 1]!;
    const batch = x.shape.slice(0, r - 2).reduce((a, b) => a * b, 1);
    const out = wasm.makeOutput([...x.shape.slice(0, r - 2), cols, rows], x.dtype);
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    const B = 32;
    for (let b = 0; b < batch; b++) {
      const o = b * rows * cols;
      for (let i0 = 0; i0 < rows; i0 += B) {
        const i1 = Math.min(rows, i0 + B);
        for (let j0 = 0; j0 < cols; j0 += B) {
          const j1 = Math.min(cols, j0 + B);
          for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) dst[o + j * rows + i] = src[o + i * cols + j]!;
        }
      }
    }
    return out;
  };
}

/**
 * The wasm BatchMatMul takes a slow path when asked to transpose an operand (~7× slower than transposing
 * first and multiplying, measured on [1200, 1024]ᵀ × [1200, 64]) — and every matMul gradient asks for one.
 * This wrapper transposes explicitly, choosing the cheaper of two equivalent forms:
 *   op(A)·op(B)              transposing A and/or B as asked, or
 *   (op(B)ᵀ·op(A)ᵀ)ᵀ         transposing the operands that are *not* flagged, plus the result.
 * For a gradient like dLᵀ·u with dL [512, 2878] and u [512, 32] the second form moves 16 k + 92 k values
 * instead of 1.5 M.
 */
function fastBatchMatMul(original: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const backend = args.backend as { disposeData(id: object): void };
    const flip = (x: tf.TensorInfo) => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
      return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const size = (t: tf.TensorInfo) => t.shape.reduce((p, q) => p * q, 1);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const batch = Math.max(size(a) / (a.shape[ra - 1]! * a.shape[ra - 2]!), size(b) / (b.shape[rb - 1]! * b.shape[rb - 2]!));
    const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0);
    const swapped = (transposeA ? 0 : size(a)) + (transposeB ? 0 : size(b)) + batch * m * n;
    const free: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo) => (free.push(t), t);
    let out: tf.TensorInfo;
    if (direct <= swapped) {
      const ta = transposeA ? keep(flip(a)) : a;
      const tb = transposeB ? keep(flip(b)) : b;
      out = original({ ...args, inputs: { a: ta, b: tb }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    } else {
      const bt = transposeB ? b : keep(flip(b));
      const at = transposeA ? a : keep(flip(a));
      const ct = keep(original({ ...args, inputs: { a: bt, b: at }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo);
      out = flip(ct);
    }
    free.forEach((t) => backend.disposeData(t.dataId));
    return out;
  };
}

/**
 * GatherV2 along axis 0 as typed-array row copies. The wasm kernel validates every index through a
 * closure and copies element-wise: 15 ms for 7,590 rows of 64 floats, against well under 1 ms here.
 * Other axes and batch dims go to the original kernel.
 */
function fastGather(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    if (axis !== 0 || (batchDims ?? 0) !== 0 || x.dtype !== 'float32' || x.shape.length < 1) return original(args);
    const wasm = args.backend as unknown as WasmBackendLike;
    const rows = x.shape[0]!;
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const ids = wasm.typedArrayFromHeap(indices);
    const xVals = wasm.typedArrayFromHeap(x) as Float32Array;
    const outVals = wasm.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]!;
      if (r < 0 || r >= rows) throw new Error(`GatherV2: index ${r} is not in [0, ${rows - 1}]`);
      outVals.set(xVals.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
    }
    return out;
  };
}

let registered = false;

/**
 * Call before the wasm backend initialises (kernel setup functions run at initialisation).
 * `stockKernels` registers only the missing segment sum and keeps TensorFlow.js' own gather, transpose and
 * matMul: the baseline of the training benchmark.
 */
export function registerWasmKernels(options: { stockKernels?: boolean } = {}): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
  }
  if (options.stockKernels) return;
  const gather = tf.getKernel(tf.GatherV2, 'wasm');
  if (gather) {
    tf.unregisterKernel(tf.GatherV2, 'wasm');
    tf.registerKernel({ ...gather, kernelFunc: fastGather(gather.kernelFunc) });
  }
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!transpose) return;
  const jsTranspose = fastTranspose(transpose.kernelFunc);
  tf.unregisterKernel(tf.Transpose, 'wasm');
  tf.registerKernel({ ...transpose, kernelFunc: jsTranspose });
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (matMul) {
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({ ...matMul, kernelFunc: fastBatchMatMul(matMul.kernelFunc, jsTranspose) });
  }
}

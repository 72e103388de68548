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
 * The wasm BatchMatMul takes a slow path when asked to transpose an operand (~7× slower than transposing
 * first and multiplying, measured on [1200, 1024]ᵀ × [1200, 64]) — and every matMul gradient asks for one.
 * This wrapper transposes explicitly with the Transpose kernel, then calls the original kernel untransposed.
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
    const ta = transposeA ? flip(a) : a;
    const tb = transposeB ? flip(b) : b;
    const out = original({ ...args, inputs: { a: ta, b: tb }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    if (ta !== a) backend.disposeData(ta.dataId);
    if (tb !== b) backend.disposeData(tb.dataId);
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

/** Call before the wasm backend initialises (kernel setup functions run at initialisation). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
  }
  const gather = tf.getKernel(tf.GatherV2, 'wasm');
  if (gather) {
    tf.unregisterKernel(tf.GatherV2, 'wasm');
    tf.registerKernel({ ...gather, kernelFunc: fastGather(gather.kernelFunc) });
  }
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (matMul && transpose) {
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({ ...matMul, kernelFunc: fastBatchMatMul(matMul.kernelFunc, transpose.kernelFunc) });
  }
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../models/encoder/backend.ts';

/** Runs f on the pure-JS cpu backend and on wasm (with ZIPP's kernels) and returns both results. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const out: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await initBackend(backend);
    const r = tf.tidy(f);
    const list = Array.isArray(r) ? r : [r];
    out.push(list.map((t) => t.dataSync() as Float32Array));
    list.forEach((t) => t.dispose());
  }
  return out as [Float32Array[], Float32Array[]];
}

const close = (a: Float32Array[], b: Float32Array[]) => a.forEach((x, i) => x.forEach((v, j) => expect(b[i]![j]!).toBeCloseTo(v, 4)));

describe('TensorFlow.js wasm kernels added by ZIPP', () => {
  it('trains through tf.gather on wasm (UnsortedSegmentSum), matching cpu', async () => {
    const [cpu, wasm] = await onBoth(() => {
      const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
      const idx = tf.tensor2d([[0, 2], [2, 2]], [2, 2], 'int32');
      const w = tf.tensor3d([[[1, 1], [2, 2]], [[3, 3], [4, 4]]]);
      return tf.grad((t: tf.Tensor) => tf.gather(t, idx).mul(w).sum())(table);
    });
    expect(Array.from(wasm[0]!)).toEqual([1, 1, 0, 0, 9, 9]);
    close(cpu, wasm);
  });

  it('gathers rows and multiplies transposed operands like the reference backend', async () => {
    const a = Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i));
    const b = Array.from({ length: 6 * 4 }, (_, i) => Math.cos(i));
    const [cpu, wasm] = await onBoth(() => {
      const A = tf.tensor2d(a, [6, 5]);
      const B = tf.tensor2d(b, [6, 4]);
      return [
        tf.matMul(A, B, true, false),
        tf.matMul(B, A.slice([0, 0], [6, 4]), true, false),
        tf.matMul(A.transpose(), A.transpose(), false, true),
        tf.gather(A, tf.tensor1d([5, 0, 5], 'int32')),
        tf.gather(A, tf.tensor1d([1, 3], 'int32'), 1),
        // Big flagged operand, small result: the kernel takes the (Bᵀ·A)ᵀ form.
        tf.matMul(tf.tensor2d(Array.from({ length: 180 }, (_, i) => Math.sin(i / 3)), [60, 3]), tf.tensor2d(Array.from({ length: 120 }, (_, i) => Math.cos(i / 5)), [60, 2]), true, false),
        tf.matMul(tf.tensor3d(a.concat(a), [2, 6, 5]), tf.tensor3d(b.concat(b), [2, 6, 4]), true, false),
        tf.tensor3d(a.concat(a), [2, 6, 5]).transpose([0, 2, 1]),
        tf.tensor2d(a, [6, 5]).transpose(),
      ];
    });
    close(cpu, wasm);
  });

  it('names a bad index', async () => {
    await initBackend('wasm');
    expect(() => tf.gather(tf.tensor2d([[1], [2]]), tf.tensor1d([2], 'int32'))).toThrow(/index 2 is not in \[0, 1\]/);
  });
});

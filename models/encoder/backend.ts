import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from './wasm-kernels.ts';

export type TfBackend = 'wasm' | 'cpu';

/**
 * Starts TensorFlow.js on the wasm backend (XNNPACK, SIMD; ~10–25× the pure-JS `cpu` backend here) with
 * the missing segment-sum kernel registered. `cpu` stays available as a slow reference.
 */
export async function initBackend(backend: TfBackend = 'wasm', threads?: number, options: { stockKernels?: boolean } = {}): Promise<void> {
  if (tf.getBackend() === backend) return;
  if (backend === 'wasm') {
    registerWasmKernels(options);
    // Only takes effect where the threaded build loads (SharedArrayBuffer + workers); Node uses SIMD single-threaded.
    if (threads) setThreadsCount(threads);
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`TensorFlow.js backend "${backend}" failed to start`);
  await tf.ready();
}

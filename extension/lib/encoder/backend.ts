/**
 * Which onnxruntime-web execution provider runs the encoder. WebGPU when the browser gives an adapter
 * (a GPU, or a software one), else WebAssembly on the CPU; the person can pin either in Preferences.
 */
export type Backend = 'webgpu' | 'wasm';
export type BackendPreference = 'auto' | Backend;

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** True when `navigator.gpu` exists and hands out an adapter (it is null without a usable GPU). */
export async function webgpuAdapterAvailable(gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu): Promise<boolean> {
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

export async function chooseBackend(preference: BackendPreference, hasAdapter: () => Promise<boolean> = webgpuAdapterAvailable): Promise<{ backend: Backend; reason: string }> {
  if (preference === 'wasm') return { backend: 'wasm', reason: 'WebAssembly (chosen in Preferences)' };
  const gpu = await hasAdapter();
  if (preference === 'webgpu') {
    return gpu ? { backend: 'webgpu', reason: 'WebGPU (chosen in Preferences)' } : { backend: 'wasm', reason: 'WebAssembly: WebGPU was chosen but this browser has no WebGPU adapter' };
  }
  return gpu ? { backend: 'webgpu', reason: 'WebGPU (an adapter is available)' } : { backend: 'wasm', reason: 'WebAssembly (no WebGPU adapter in this browser)' };
}

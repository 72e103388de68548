import type { RbfKernelBackend } from '../../shared/metrics/rbf-kernel.ts';

export type RbfBackendChoice = 'auto' | 'onnxruntime' | 'typescript';

/**
 * Below this many kernel entries the TypeScript kernel finishes in well under a second and loading
 * onnxruntime would cost more than it saves.
 */
const AUTO_THRESHOLD = 1_000_000;

/**
 * The onnxruntime backend (loaded lazily: the native module is only paid for when used), or undefined
 * for the TypeScript kernel. Both compute the same value; onnxruntime is ~30–50× faster on 10k sets.
 */
export async function chooseRbfBackend(
  choice: RbfBackendChoice,
  nx: number,
  ny: number,
): Promise<(RbfKernelBackend & { release(): Promise<void> }) | undefined> {
  const big = Math.max(nx, ny) ** 2 >= AUTO_THRESHOLD;
  if (choice === 'typescript' || (choice === 'auto' && !big)) return undefined;
  const { ortRbfBackend } = await import('./rbf-kernel-ort.ts');
  return ortRbfBackend();
}

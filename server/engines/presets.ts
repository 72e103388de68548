import type { GenerationRequest, ResolvedRequest } from './types.ts';

/**
 * The paper's diffusion settings (Appendix B.4): 50 steps for every model, each model's default guidance
 * (SDXL 7.0, SD3 and SD3.5 5.0, Flux.1-dev 4.0), three seeds per prompt, no negative prompt.
 */
export const MODEL_PRESETS = {
  sdxl: { label: 'Stable Diffusion XL', steps: 50, guidance: 7.0, width: 1024, height: 1024 },
  sd3: { label: 'Stable Diffusion 3', steps: 50, guidance: 5.0, width: 1024, height: 1024 },
  'sd3.5': { label: 'Stable Diffusion 3.5', steps: 50, guidance: 5.0, width: 1024, height: 1024 },
  'flux-dev': { label: 'Flux.1-dev', steps: 50, guidance: 4.0, width: 1024, height: 1024 },
} as const;

export type ModelPresetName = keyof typeof MODEL_PRESETS;
export const MODEL_NAMES = Object.keys(MODEL_PRESETS) as ModelPresetName[];

/** Seeds per prompt in the paper; every metric is computed over these samples. */
export const SEEDS_PER_PROMPT = 3;

/** The seeds for one prompt: base, base + 1, … (fixed, so reruns hit the cache). */
export const seedsFor = (count = SEEDS_PER_PROMPT, base = 0): number[] => Array.from({ length: count }, (_, i) => base + i);

/** Fills unset parameters from the model's preset. */
export function resolveRequest(r: GenerationRequest): ResolvedRequest {
  const preset = MODEL_PRESETS[r.model];
  if (!preset) throw new RangeError(`unknown model '${String(r.model)}'; use one of ${MODEL_NAMES.join(', ')}`);
  if (!r.prompt.trim()) throw new RangeError('the prompt is empty');
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw new RangeError(`seed must be a whole number ≥ 0, got ${r.seed}`);
  return {
    prompt: r.prompt,
    seed: r.seed,
    model: r.model,
    steps: r.steps ?? preset.steps,
    guidance: r.guidance ?? preset.guidance,
    width: r.width ?? preset.width,
    height: r.height ?? preset.height,
    negativePrompt: r.negativePrompt ?? '',
  };
}

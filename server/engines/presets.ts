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

import { MODEL_NAMES, MODEL_PRESETS } from './presets.ts';
import type { GenerationRequest, ResolvedRequest } from './types.ts';
import { InputError } from '../../shared/errors.ts';

/** Fills unset parameters from the model's preset. */
export function resolveRequest(r: GenerationRequest): ResolvedRequest {
  const preset = MODEL_PRESETS[r.model];
  if (!preset) throw new InputError(`unknown model '${String(r.model)}'; use one of ${MODEL_NAMES.join(', ')}`);
  if (!r.prompt.trim()) throw new InputError('the prompt is empty');
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw new InputError(`seed must be a whole number ≥ 0, got ${r.seed}`);
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

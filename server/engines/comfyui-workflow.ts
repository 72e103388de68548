import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ModelPresetName } from './presets.ts';
import type { ResolvedRequest } from './types.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * ComfyUI workflows in API format ({node id: {class_type, inputs}}, what "Save (API format)" exports).
 * String values that are exactly a placeholder such as "{{seed}}" are replaced by the typed value
 * (numbers stay numbers): {{prompt}} {{negative}} {{seed}} {{steps}} {{guidance}} {{width}} {{height}}
 * and the model files {{checkpoint}} {{unet}} {{clip_l}} {{clip_g}} {{t5xxl}} {{vae}}.
 * Built-in templates live in ./comfyui-workflows/<model>.json; a custom one can be any file that uses
 * at least {{prompt}} and {{seed}} and has a SaveImage (or PreviewImage) node.
 */
export const ApiWorkflow = z.record(
  z.string(),
  z.object({ class_type: z.string().min(1), inputs: z.record(z.string(), z.unknown()) }).passthrough(),
);
export type ApiWorkflow = z.infer<typeof ApiWorkflow>;

/** Model files the built-in templates load, as the ComfyUI example workflows name them; override per run. */
export const DEFAULT_MODEL_FILES: Record<ModelPresetName, Record<string, string>> = {
  sdxl: { checkpoint: 'sd_xl_base_1.0.safetensors' },
  sd3: { checkpoint: 'sd3_medium_incl_clips_t5xxlfp8.safetensors' },
  'sd3.5': { checkpoint: 'sd3.5_large.safetensors', clip_l: 'clip_l.safetensors', clip_g: 'clip_g.safetensors', t5xxl: 't5xxl_fp16.safetensors' },
  'flux-dev': { unet: 'flux1-dev.safetensors', clip_l: 'clip_l.safetensors', t5xxl: 't5xxl_fp16.safetensors', vae: 'ae.safetensors' },
};

const PLACEHOLDER = /^\{\{(\w+)\}\}$/;
const REQUIRED = ['prompt', 'seed'];

export function builtinWorkflow(model: ModelPresetName): ApiWorkflow {
  const path = fileURLToPath(new URL(`./comfyui-workflows/${model}.json`, import.meta.url));
  return ApiWorkflow.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Parses and checks a user's workflow; the message says what is missing. */
export function parseWorkflow(json: unknown, source: string): ApiWorkflow {
  const parsed = ApiWorkflow.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`${source} is not an API-format ComfyUI workflow ({"id": {"class_type", "inputs"}}); export it with "Save (API format)"`);
  }
  const used = placeholders(parsed.data);
  const missing = REQUIRED.filter((p) => !used.has(p));
  if (missing.length) throw new InputError(`${source} must use ${missing.map((m) => `"{{${m}}}"`).join(' and ')} as input values`);
  if (!outputNode(parsed.data)) throw new InputError(`${source} has no SaveImage or PreviewImage node`);
  return parsed.data;
}

export function placeholders(workflow: ApiWorkflow): Set<string> {
  const found = new Set<string>();
  for (const n of Object.values(workflow)) {
    for (const v of Object.values(n.inputs)) {
      const m = typeof v === 'string' ? PLACEHOLDER.exec(v) : null;
      if (m) found.add(m[1]!);
    }
  }
  return found;
}

/** A copy of the workflow with every placeholder filled; an unknown placeholder is an error. */
export function fillWorkflow(workflow: ApiWorkflow, r: ResolvedRequest, files: Record<string, string>): ApiWorkflow {
  const values: Record<string, string | number> = {
    prompt: r.prompt,
    negative: r.negativePrompt,
    seed: r.seed,
    steps: r.steps,
    guidance: r.guidance,
    width: r.width,
    height: r.height,
    ...files,
  };
  const out: ApiWorkflow = {};
  for (const [id, n] of Object.entries(workflow)) {
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.inputs)) {
      const m = typeof v === 'string' ? PLACEHOLDER.exec(v) : null;
      if (!m) inputs[k] = v;
      else if (m[1]! in values) inputs[k] = values[m[1]!];
      else throw new InputError(`workflow node ${id} uses {{${m[1]}}} but no value was given for it (model files: ${Object.keys(files).join(', ') || 'none'})`);
    }
    out[id] = { ...n, inputs };
  }
  return out;
}

/** The node whose images are the result: the SaveImage (else PreviewImage) with the lowest id. */
export function outputNode(workflow: ApiWorkflow): string | undefined {
  const ids = Object.keys(workflow).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  return ids.find((id) => workflow[id]!.class_type === 'SaveImage') ?? ids.find((id) => workflow[id]!.class_type === 'PreviewImage');
}

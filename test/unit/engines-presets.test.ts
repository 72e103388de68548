import { describe, expect, it } from 'vitest';
import { builtinWorkflow, DEFAULT_MODEL_FILES, fillWorkflow, outputNode, parseWorkflow, placeholders } from '../../server/engines/comfyui-workflow.ts';
import { canonicalJson, ImageCache } from '../../server/engines/image-cache.ts';
import { MODEL_NAMES, MODEL_PRESETS, seedsFor } from '../../server/engines/presets.ts';
import { resolveRequest } from '../../server/engines/resolve-request.ts';
import { EngineError, sniffImage } from '../../server/engines/types.ts';

describe('paper presets', () => {
  it('use 50 steps, the per-model guidance and three seeds', () => {
    expect(Object.fromEntries(MODEL_NAMES.map((m) => [m, [MODEL_PRESETS[m].steps, MODEL_PRESETS[m].guidance]]))).toEqual({
      sdxl: [50, 7.0],
      sd3: [50, 5.0],
      'sd3.5': [50, 5.0],
      'flux-dev': [50, 4.0],
    });
    expect(seedsFor()).toEqual([0, 1, 2]);
    expect(seedsFor(2, 10)).toEqual([10, 11]);
  });

  it('fill unset parameters and keep the negative prompt empty', () => {
    expect(resolveRequest({ prompt: 'a fox', seed: 2, model: 'flux-dev' })).toEqual({
      prompt: 'a fox', seed: 2, model: 'flux-dev', steps: 50, guidance: 4, width: 1024, height: 1024, negativePrompt: '',
    });
    expect(resolveRequest({ prompt: 'a fox', seed: 0, model: 'sdxl', steps: 20, width: 512 })).toMatchObject({ steps: 20, guidance: 7, width: 512, height: 1024 });
  });

  it('reject what no engine could run', () => {
    expect(() => resolveRequest({ prompt: 'x', seed: 0, model: 'sd1.5' as 'sdxl' })).toThrow(/unknown model 'sd1.5'; use one of sdxl, sd3, sd3.5, flux-dev/);
    expect(() => resolveRequest({ prompt: ' ', seed: 0, model: 'sdxl' })).toThrow(/prompt is empty/);
    expect(() => resolveRequest({ prompt: 'x', seed: -1, model: 'sdxl' })).toThrow(/seed must be a whole number/);
  });
});

describe('ComfyUI workflow templates', () => {
  it.each(MODEL_NAMES)('%s fills every placeholder with typed values', (model) => {
    const wf = builtinWorkflow(model);
    const used = placeholders(wf);
    expect([...used].filter((p) => !['prompt', 'negative', 'seed', 'steps', 'guidance', 'width', 'height'].includes(p)).sort()).toEqual(Object.keys(DEFAULT_MODEL_FILES[model]).sort());
    const filled = fillWorkflow(wf, resolveRequest({ prompt: 'a red fox', seed: 7, model }), DEFAULT_MODEL_FILES[model]);
    expect(JSON.stringify(filled)).not.toMatch(/\{\{/);
    const sampler = Object.values(filled).find((n) => n.class_type === 'KSampler')!;
    expect(sampler.inputs).toMatchObject({ seed: 7, steps: 50 });
    const texts = Object.values(filled).filter((n) => n.class_type === 'CLIPTextEncode').map((n) => n.inputs.text);
    expect(texts).toEqual(['a red fox', '']);
    // Flux is guidance-distilled: its 4.0 goes to FluxGuidance and the sampler's CFG stays 1.
    if (model === 'flux-dev') {
      expect(sampler.inputs.cfg).toBe(1);
      expect(Object.values(filled).find((n) => n.class_type === 'FluxGuidance')!.inputs.guidance).toBe(4);
    } else expect(sampler.inputs.cfg).toBe(MODEL_PRESETS[model].guidance);
    expect(filled[outputNode(filled)!]!.class_type).toBe('SaveImage');
  });

  it('checks custom workflows and names what is missing', () => {
    expect(() => parseWorkflow([1, 2], 'my.json')).toThrow(/not an API-format ComfyUI workflow/);
    expect(() => parseWorkflow({ '1': { class_type: 'SaveImage', inputs: { text: '{{prompt}}' } } }, 'my.json')).toThrow(/must use "\{\{seed\}\}"/);
    expect(() => parseWorkflow({ '1': { class_type: 'KSampler', inputs: { text: '{{prompt}}', seed: '{{seed}}' } } }, 'my.json')).toThrow(/no SaveImage or PreviewImage node/);
    const wf = parseWorkflow({ '3': { class_type: 'KSampler', inputs: { seed: '{{seed}}', text: '{{prompt}}', ckpt: '{{lora}}' } }, '9': { class_type: 'PreviewImage', inputs: {} } }, 'my.json');
    expect(() => fillWorkflow(wf, resolveRequest({ prompt: 'x', seed: 1, model: 'sdxl' }), {})).toThrow(/node 3 uses \{\{lora\}\} but no value was given/);
    expect(fillWorkflow(wf, resolveRequest({ prompt: 'x', seed: 1, model: 'sdxl' }), { lora: 'style.safetensors' })['3']!.inputs.ckpt).toBe('style.safetensors');
  });
});

describe('cache keys', () => {
  const r = resolveRequest({ prompt: 'a red fox', seed: 1, model: 'sdxl' });
  const key = ImageCache.key('comfyui', { files: { checkpoint: 'a' } }, r);

  it('are stable under key order and change with any input', () => {
    expect(ImageCache.key('comfyui', { files: { checkpoint: 'a' } }, { ...r })).toBe(key);
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    const variants = [
      ImageCache.key('a1111', { files: { checkpoint: 'a' } }, r),
      ImageCache.key('comfyui', { files: { checkpoint: 'b' } }, r),
      ImageCache.key('comfyui', { files: { checkpoint: 'a' } }, { ...r, seed: 2 }),
      ImageCache.key('comfyui', { files: { checkpoint: 'a' } }, { ...r, prompt: 'a red fox.' }),
      ImageCache.key('comfyui', { files: { checkpoint: 'a' } }, { ...r, guidance: 7.5 }),
      ImageCache.key('comfyui', { files: { checkpoint: 'a' } }, { ...r, model: 'sd3' }),
    ];
    expect(new Set([key, ...variants]).size).toBe(7);
  });
});

describe('sniffImage', () => {
  it('knows PNG, JPEG and WebP and refuses anything else as retryable', () => {
    expect(sniffImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'x').mime).toBe('image/png');
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), 'x').mime).toBe('image/jpeg');
    let err: unknown;
    try {
      sniffImage(new TextEncoder().encode('<html>'), 'ComfyUI /view');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/ComfyUI \/view returned 6 bytes that are not a PNG/);
  });
});

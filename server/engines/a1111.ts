import { baseUrl, requestJson } from './http.ts';
import type { ModelPresetName } from './presets.ts';
import { EngineError, sniffImage, type EngineImage, type ImageEngine, type ResolvedRequest } from './types.ts';

export interface A1111Options {
  url: string;
  /** Per model: the checkpoint title to load (override_settings.sd_model_checkpoint); default: whatever is loaded. */
  checkpoints?: Partial<Record<ModelPresetName, string>>;
  /** Sampler and scheduler names (default "Euler" / "Automatic"). */
  sampler?: string;
  scheduler?: string;
  /** One image can take minutes on a busy GPU (default 15 minutes). */
  timeoutMs?: number;
}

/**
 * AUTOMATIC1111 / SD WebUI Forge over POST /sdapi/v1/txt2img (the WebUI started with --api). Flux on
 * Forge is guidance-distilled: its guidance goes to distilled_cfg_scale and the CFG scale stays 1.
 */
export class A1111Engine implements ImageEngine {
  readonly kind = 'a1111';
  readonly url: string;

  constructor(private readonly options: A1111Options) {
    this.url = baseUrl(options.url, 'AUTOMATIC1111');
  }

  identity(model: ModelPresetName): Record<string, unknown> {
    return { checkpoint: this.options.checkpoints?.[model] ?? null, sampler: this.options.sampler ?? 'Euler', scheduler: this.options.scheduler ?? 'Automatic' };
  }

  async generate(r: ResolvedRequest, signal?: AbortSignal): Promise<EngineImage> {
    const flux = r.model === 'flux-dev';
    const checkpoint = this.options.checkpoints?.[r.model];
    const body = {
      prompt: r.prompt,
      negative_prompt: r.negativePrompt,
      seed: r.seed,
      steps: r.steps,
      cfg_scale: flux ? 1 : r.guidance,
      ...(flux ? { distilled_cfg_scale: r.guidance } : {}),
      width: r.width,
      height: r.height,
      sampler_name: this.options.sampler ?? 'Euler',
      scheduler: this.options.scheduler ?? 'Automatic',
      batch_size: 1,
      n_iter: 1,
      send_images: true,
      save_images: false,
      ...(checkpoint ? { override_settings: { sd_model_checkpoint: checkpoint }, override_settings_restore_afterwards: false } : {}),
    };
    const out = await requestJson<{ images?: string[] }>(`${this.url}/sdapi/v1/txt2img`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.options.timeoutMs ?? 15 * 60_000,
      what: `AUTOMATIC1111 ${this.url} txt2img`,
      signal,
    });
    const b64 = out.images?.[0];
    if (!b64) throw new EngineError(`AUTOMATIC1111 ${this.url} txt2img answered without images`, true);
    // Some builds prefix a data URL.
    return sniffImage(Buffer.from(b64.replace(/^data:[^,]*,/, ''), 'base64'), `AUTOMATIC1111 ${this.url}`);
  }
}

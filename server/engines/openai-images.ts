import OpenAI from 'openai';
import { baseUrl } from './http.ts';
import type { ModelPresetName } from './presets.ts';
import { EngineError, sniffImage, type EngineImage, type ImageEngine, type ResolvedRequest } from './types.ts';

export interface OpenAiImagesOptions {
  /** API base, e.g. https://api.openai.com/v1 or a compatible server. */
  url: string;
  apiKey?: string;
  /** The API's model, e.g. gpt-image-1 or dall-e-3 (the request's preset only picks the size). */
  model: string;
  /** e.g. "high", "standard"; passed through when set. */
  quality?: string;
  timeoutMs?: number;
}

/**
 * Any OpenAI-compatible Images API through the `openai` SDK, with base64 results. These APIs take no seed,
 * steps or guidance: the seed still names the sample (three per prompt, each cached separately), the
 * other parameters are ignored and the size is the request's width × height.
 */
export class OpenAiImagesEngine implements ImageEngine {
  readonly kind = 'openai';
  readonly url: string;
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiImagesOptions) {
    this.url = baseUrl(options.url, 'OpenAI Images');
    // Retries belong to the pool (it may move the work to another URL), so the SDK makes one attempt.
    this.client = new OpenAI({ baseURL: this.url, apiKey: options.apiKey ?? 'not-needed', maxRetries: 0, timeout: options.timeoutMs ?? 5 * 60_000 });
  }

  identity(_model: ModelPresetName): Record<string, unknown> {
    return { model: this.options.model, quality: this.options.quality ?? null };
  }

  async generate(r: ResolvedRequest, signal?: AbortSignal): Promise<EngineImage> {
    // gpt-image models always answer base64 and reject response_format; DALL·E needs it to.
    const wantsFormat = !this.options.model.startsWith('gpt-image');
    let b64: string | undefined;
    try {
      const res = await this.client.images.generate(
        {
          model: this.options.model,
          prompt: r.prompt,
          n: 1,
          size: `${r.width}x${r.height}` as OpenAI.ImageGenerateParams['size'],
          ...(wantsFormat ? { response_format: 'b64_json' as const } : {}),
          ...(this.options.quality ? { quality: this.options.quality as OpenAI.ImageGenerateParams['quality'] } : {}),
        },
        { signal },
      );
      b64 = res.data?.[0]?.b64_json;
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof OpenAI.APIError) {
        const status = err.status;
        const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
        throw new EngineError(`OpenAI Images ${this.url}: ${status ? `HTTP ${status} ` : ''}${err.message}`, retryable, status);
      }
      throw new EngineError(`OpenAI Images ${this.url}: ${(err as Error).message}`, true);
    }
    if (!b64) throw new EngineError(`OpenAI Images ${this.url} answered without b64_json`, true);
    return sniffImage(Buffer.from(b64, 'base64'), `OpenAI Images ${this.url}`);
  }
}

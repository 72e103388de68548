import type { ModelPresetName } from './presets.ts';
import { UpstreamError } from '../../shared/errors.ts';

/** One image to make. Unset parameters come from the model preset (the paper's settings). */
export interface GenerationRequest {
  prompt: string;
  seed: number;
  /** Which diffusion model; engines map it to their checkpoint/workflow. */
  model: ModelPresetName;
  steps?: number;
  guidance?: number;
  width?: number;
  height?: number;
  /** The paper uses none; kept empty unless a study asks for one. */
  negativePrompt?: string;
}

/** A request with every parameter filled in: what an engine receives and what the cache key covers. */
export interface ResolvedRequest {
  prompt: string;
  seed: number;
  model: ModelPresetName;
  steps: number;
  guidance: number;
  width: number;
  height: number;
  negativePrompt: string;
}

export interface EngineImage {
  bytes: Uint8Array;
  /** image/png, image/jpeg or image/webp, sniffed from the bytes. */
  mime: string;
}

/** One running engine (one URL). Engines never retry: the pool does, possibly on another URL. */
export interface ImageEngine {
  /** comfyui | a1111 | openai */
  readonly kind: string;
  /** Where it runs, for logs and stats (the base URL). */
  readonly url: string;
  /**
   * Everything besides the request that decides the pixels (workflow, checkpoint files, sampler, API
   * model). Engines of one pool must agree on it; it is part of the cache key.
   */
  identity(model: ModelPresetName): Record<string, unknown>;
  generate(request: ResolvedRequest, signal?: AbortSignal): Promise<EngineImage>;
}

/**
 * A failed generation. `retryable` marks what another attempt may fix (network errors, timeouts, 429,
 * 5xx, a crashed execution); bad requests (4xx, a rejected workflow) fail at once.
 */
export class EngineError extends UpstreamError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message, { code: 'engine_error' });
  }
}

const MAGIC: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]],
];

/** The image type from its first bytes; an engine answering anything else is an error worth retrying. */
export function sniffImage(bytes: Uint8Array, source: string): EngineImage {
  for (const [mime, magic] of MAGIC) {
    if (bytes.length > magic.length && magic.every((b, i) => bytes[i] === b)) return { bytes, mime };
  }
  throw new EngineError(`${source} returned ${bytes.length} bytes that are not a PNG, JPEG or WebP image`, true);
}

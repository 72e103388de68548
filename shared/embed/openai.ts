import { createEmbedder, type Embedder } from '../llm/embeddings.ts';
import type { LlmSettingsInput } from '../schemas/llm.ts';
import { l2normalize, type OpenAiEmbedConfig, type TextEmbedder } from './types.ts';

/**
 * Community features from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, …),
 * through the project's LLM transport (retries, timeouts, typed errors). The paper used OpenAI's
 * text-embedding-3-large on the descriptions; `dimensions` shortens vectors for models that support it.
 */
export class OpenAiTextEmbedder implements TextEmbedder {
  private constructor(
    private readonly client: Embedder,
    readonly dimension: number,
  ) {}

  /** Probes the endpoint once to learn the vector length (and to fail early on a bad URL, key or model). */
  static async connect(settings: LlmSettingsInput, options: { model: string; dimensions?: number; batchSize?: number }): Promise<OpenAiTextEmbedder> {
    const client = createEmbedder(settings, {
      model: options.model,
      ...(options.dimensions ? { dimensions: options.dimensions } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    const [probe] = await client.embed(['community']);
    return new OpenAiTextEmbedder(client, probe!.length);
  }

  describe(): OpenAiEmbedConfig {
    return { kind: 'openai', model: this.client.model, dimension: this.dimension };
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const vectors = await this.client.embed([...texts]);
    return vectors.map((v) => {
      if (v.length !== this.dimension) throw new Error(`embedding endpoint returned ${v.length} values, expected ${this.dimension}; keep the same model and dimensions`);
      return l2normalize(Float32Array.from(v));
    });
  }
}

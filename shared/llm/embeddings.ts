import { addUsage, emptyUsage, type LlmSettingsInput, type Usage } from '../schemas/llm.ts';
import { LlmBadResponseError } from './errors.ts';
import { createTransport, type TransportOptions } from './transport.ts';
import { DEFAULT_EMBED_MODEL } from './settings.ts';

/**
 * Text embeddings over the same OpenAI-compatible endpoint, with the chat client's retries, timeout and
 * typed errors. Used by `retrieval` (embedding similarity) and anything else that needs vectors.
 */
export interface Embedder {
  readonly model: string;
  /** One vector per text, in order. Batches long lists. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  /** Tokens and requests spent so far by this embedder. */
  usage(): Usage;
}

export interface EmbedderOptions extends TransportOptions {
  /** Default DEFAULT_EMBED_MODEL (text-embedding-3-small); Ollama: e.g. "nomic-embed-text". */
  model?: string;
  /** Ask for vectors of this size (models that support it). */
  dimensions?: number;
  /** Texts per request; OpenAI accepts up to 2,048. */
  batchSize?: number;
}

/** Connection settings as for chat; a chat `model` in them is ignored (the embedding model is options.model). */
export function createEmbedder(settings: Omit<LlmSettingsInput, 'model'> & { model?: string }, options: EmbedderOptions = {}): Embedder {
  const model = options.model ?? DEFAULT_EMBED_MODEL;
  const transport = createTransport({ ...settings, model }, options);
  const batchSize = Math.max(1, options.batchSize ?? 256);
  let spent = emptyUsage();

  async function embedBatch(texts: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const usage = emptyUsage();
    try {
      const { value: res } = await transport.call(
        (scope) =>
          transport.sdk.embeddings.create(
            { model, input: texts, ...(options.dimensions ? { dimensions: options.dimensions } : {}) },
            { signal: scope.signal },
          ),
        { ...(signal ? { signal } : {}), usage },
      );
      usage.promptTokens += res.usage?.prompt_tokens ?? 0;
      usage.totalTokens += res.usage?.total_tokens ?? res.usage?.prompt_tokens ?? 0;
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (vectors.length !== texts.length || vectors.some((v) => !Array.isArray(v) || v.length === 0)) {
        throw new LlmBadResponseError(transport.baseUrl, `expected ${texts.length} embeddings, got ${vectors.length}`);
      }
      return vectors;
    } finally {
      spent = addUsage(spent, usage);
    }
  }

  return {
    model,
    async embed(texts, o = {}) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedBatch(texts.slice(i, i + batchSize), o.signal)));
      return out;
    },
    usage: () => ({ ...spent }),
  };
}

import type { LlmSettingsInput } from '../schemas/llm.ts';
import { HashedTfidfEmbedder } from './hashed-tfidf.ts';
import type { EmbedderConfig, TextEmbedder } from './types.ts';

/**
 * Rebuilds the embedder a model was trained with from its stored config, so unknown communities at
 * inference get features the same way the vocabulary did. Hashed TF-IDF needs nothing else; the others
 * need their model (transformers.js) or endpoint (OpenAI-compatible), and return undefined without it —
 * unknown communities are then ignored rather than embedded differently.
 */
export interface EmbedderDeps {
  llm?: LlmSettingsInput;
  transformers?: { localModelPath?: string; remoteHost?: string };
}

export async function embedderFromConfig(config: EmbedderConfig, deps: EmbedderDeps = {}): Promise<TextEmbedder | undefined> {
  switch (config.kind) {
    case 'hashed-tfidf':
      return new HashedTfidfEmbedder(config);
    case 'transformers': {
      if (!deps.transformers) return undefined;
      const { TransformersEmbedder } = await import('./transformers.ts');
      return TransformersEmbedder.load({ model: config.model, pooling: config.pooling, ...deps.transformers });
    }
    case 'none':
      return undefined; // structure-only: there is no text path to rebuild
    case 'openai': {
      if (!deps.llm) return undefined;
      const { OpenAiTextEmbedder } = await import('./openai.ts');
      return OpenAiTextEmbedder.connect(deps.llm, { model: config.model, dimensions: config.dimension });
    }
  }
}

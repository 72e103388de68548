import { z } from 'zod';

/**
 * Turns texts into fixed-size vectors: community descriptions become the encoder's input features, and
 * the same embedder later turns an unknown community's name (+ description) into features at inference.
 * Implementations: hashed TF-IDF n-grams (offline, default, runs in the browser too), transformers.js
 * feature extraction, and OpenAI-compatible /v1/embeddings.
 */
export interface TextEmbedder {
  /** Vector length. */
  readonly dimension: number;
  /** What to store with a model so inference can rebuild the same embedder. */
  describe(): EmbedderConfig;
  /** One L2-normalised vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

export const HashedTfidfConfig = z.object({
  kind: z.literal('hashed-tfidf'),
  dimension: z.number().int().min(8).max(1 << 20),
  /** Word n-gram orders used (1 = words, 2 = adjacent word pairs). */
  wordNgrams: z.number().int().min(1).max(3),
  /** Character n-gram length range over each word (0 = off): subwords let "photographs" meet "photography". */
  charNgrams: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
  /** Weight of character n-gram features relative to word features. */
  charWeight: z.number().min(0),
  /** Inverse document frequency per hash bucket, fitted on the training descriptions. */
  idf: z.array(z.number()),
});
export type HashedTfidfConfig = z.infer<typeof HashedTfidfConfig>;

export const TransformersConfig = z.object({
  kind: z.literal('transformers'),
  /** Hub id or local directory of a feature-extraction model, e.g. "Xenova/all-MiniLM-L6-v2". */
  model: z.string().min(1),
  dimension: z.number().int().positive(),
  pooling: z.enum(['mean', 'cls']),
});
export type TransformersConfig = z.infer<typeof TransformersConfig>;

export const OpenAiEmbedConfig = z.object({
  kind: z.literal('openai'),
  model: z.string().min(1),
  dimension: z.number().int().positive(),
});
export type OpenAiEmbedConfig = z.infer<typeof OpenAiEmbedConfig>;

/**
 * No text features: a structure-only model whose communities are learned id vectors alone (data with
 * anonymous community ids, e.g. `s00042`). Communities outside its vocabulary cannot be embedded.
 */
export const NoTextFeaturesConfig = z.object({ kind: z.literal('none') });
export type NoTextFeaturesConfig = z.infer<typeof NoTextFeaturesConfig>;

export const EmbedderConfig = z.discriminatedUnion('kind', [HashedTfidfConfig, TransformersConfig, OpenAiEmbedConfig, NoTextFeaturesConfig]);
export type EmbedderConfig = z.infer<typeof EmbedderConfig>;

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

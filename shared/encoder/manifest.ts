import { z } from 'zod';
import { EmbedderConfig } from '../embed/types.ts';

/** File names inside a model directory (`models/zipp-encoder/`). */
export const MODEL_FILES = {
  manifest: 'vocabulary.json',
  onnx: 'encoder.onnx',
  communityEmbeddings: 'community-embeddings.bin',
  communityVotes: 'community-votes.bin',
  weights: 'weights.bin',
  trainEdges: 'train-edges.bin',
  card: 'model-card.md',
} as const;

export const MANIFEST_FORMAT = 'zipp-encoder/1';

/**
 * `vocabulary.json`: everything inference needs besides the ONNX graph — the community vocabulary (in the
 * order of the model's community tables), the edge-feature constants, and the embedder that turns an
 * unknown community's name into features. The ONNX file carries the vocabulary hash in its metadata so a
 * vocabulary from another training run is refused instead of silently mis-indexing.
 */
export const EncoderManifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  architecture: z.object({
    hidden: z.number().int().positive(),
    heads: z.number().int().positive(),
    layers: z.number().int().positive(),
    /** Text features per community; 0 for a structure-only model (learned id vectors only). */
    featureDim: z.number().int().nonnegative(),
    /** Communities per user the model attends over; longer lists keep their most active entries. */
    maxNeighbours: z.number().int().positive(),
  }),
  edges: z.object({
    /** Multiplier that makes the training mean of w_us about 1. */
    edgeScale: z.number().positive(),
    epsilon: z.number().nonnegative(),
    /** c_s assumed for a community outside the vocabulary (the vocabulary's median activity). */
    unknownCommunityActivity: z.number().positive(),
  }),
  embedder: EmbedderConfig,
  communities: z.object({
    /** Normalised names (lower case, no r/), index = row of the model's community tables. */
    names: z.array(z.string()),
    /** Display spelling as seen in the data (e.g. "AskReddit"). */
    labels: z.array(z.string()),
    /** c_s: total activity in the training graph. */
    activity: z.array(z.number().nonnegative()),
    /** Distinct training users per community. */
    users: z.array(z.number().int().nonnegative()),
    /** Learned prior added to the cosine when ranking communities for a user (popularity kept apart from taste). */
    prior: z.array(z.number()),
  }),
  communityEmbeddings: z.object({ dtype: z.literal('float32'), dimension: z.number().int().positive() }),
  /** Co-membership votes (votes.ts) in community-votes.bin: neighbours per community; absent when the model has none. */
  votes: z.object({ k: z.number().int().positive() }).optional(),
  vocabularyHash: z.string(),
  /** Free-form provenance: data, filters, hyperparameters, evaluation. */
  training: z.record(z.string(), z.unknown()),
});
export type EncoderManifest = z.infer<typeof EncoderManifest>;

/** A stable fingerprint of the vocabulary order (FNV-1a over the joined names), stored in the ONNX metadata. */
export function vocabularyHash(names: readonly string[]): string {
  let h = 0x811c9dc5;
  const s = names.join('\n');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${names.length}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** ONNX metadata keys written by the exporter and checked when a model directory is loaded. */
export const ONNX_METADATA = { vocabularyHash: 'zipp.vocabulary_hash', hidden: 'zipp.hidden', featureDim: 'zipp.feature_dim' } as const;

/** Input and output names of the exported graph. */
export const ONNX_IO = {
  ids: 'community_ids',
  edges: 'edge_features',
  mask: 'mask',
  extra: 'extra_features',
  embedding: 'user_embedding',
  attention: 'attention',
} as const;

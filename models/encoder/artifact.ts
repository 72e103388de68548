import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TextEmbedder } from '../../shared/embed/types.ts';
import { encodeTrainEdges } from '../../shared/encoder/baselines.ts';
import { encodeVotes } from '../../shared/encoder/votes.ts';
import { MANIFEST_FORMAT, MODEL_FILES, vocabularyHash, type EncoderManifest } from '../../shared/encoder/manifest.ts';
import { EDGE_WEIGHT_EPSILON } from '../../shared/graph/edge-features.ts';
import type { EncoderConfig } from './config.ts';
import type { TrainingSet } from './dataset.ts';
import { exportOnnx } from './export-onnx.ts';
import { packWeights } from './params.ts';
import type { Trainer } from './trainer.ts';

/**
 * Writes a model directory:
 *   encoder.onnx               the graph with the vocabulary's tables precomputed (what the extension loads)
 *   vocabulary.json            names, degrees, edge constants, embedder config (see shared/encoder/manifest.ts)
 *   community-embeddings.bin   float32 [V, hidden] unit vectors, for ranking / suggestions
 *   weights.bin + weights.json the TensorFlow.js parameters (fine-tuning, parity checks)
 *   train-edges.bin            the training graph's (user id, community row) pairs, for the eval baselines
 */
export interface ArtifactInput {
  dir: string;
  cfg: EncoderConfig;
  trainer: Trainer;
  set: TrainingSet;
  embedder: TextEmbedder;
  edgeScale: number;
  training: Record<string, unknown>;
}

function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 1;
}

export function buildManifest(input: Omit<ArtifactInput, 'dir' | 'trainer'>): EncoderManifest {
  const { cfg, set } = input;
  const names = set.graph.communities;
  return {
    format: MANIFEST_FORMAT,
    architecture: { hidden: cfg.hidden, heads: cfg.heads, layers: cfg.layers, featureDim: set.featureDim, maxNeighbours: cfg.maxNeighbours },
    edges: { edgeScale: input.edgeScale, epsilon: EDGE_WEIGHT_EPSILON, unknownCommunityActivity: Math.max(1, median(set.graph.communityActivity)) },
    embedder: input.embedder.describe(),
    communities: { names, labels: set.labels, activity: Array.from(set.graph.communityActivity), users: Array.from(set.graph.communityUsers), prior: [] },
    communityEmbeddings: { dtype: 'float32', dimension: cfg.hidden },
    vocabularyHash: vocabularyHash(names),
    training: input.training,
  };
}

export async function writeModelDir(input: ArtifactInput): Promise<{ files: Record<string, number> }> {
  const { dir, trainer, set } = input;
  mkdirSync(dir, { recursive: true });
  const manifest = buildManifest(input);
  const tables = trainer.tables();
  const values = tables.values.map((t) => t.dataSync() as Float32Array);
  const embeddings = tables.embeddings.dataSync() as Float32Array;
  manifest.communities.prior = Array.from(tables.prior.dataSync());
  if (tables.votes) manifest.votes = { k: tables.votes.k };
  tables.values.forEach((t) => t.dispose());
  tables.embeddings.dispose();
  tables.prior.dispose();
  const weights = trainer.weights();
  const onnx = exportOnnx({
    cfg: input.cfg,
    weights,
    tables: values,
    firstQuery: trainer.firstQuery(),
    vocabularySize: set.graph.communities.length,
    featureDim: set.featureDim,
    vocabularyHash: manifest.vocabularyHash,
  });
  const packed = packWeights(weights);
  const g = set.graph;
  const users = new Int32Array(g.edgeCommunity.length);
  for (let u = 0; u < g.users.length; u++) users.fill(u, g.offsets[u]!, g.offsets[u + 1]!);
  const files: Record<string, Uint8Array | string> = {
    [MODEL_FILES.onnx]: onnx,
    [MODEL_FILES.manifest]: JSON.stringify(manifest),
    [MODEL_FILES.communityEmbeddings]: new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength),
    [MODEL_FILES.weights]: packed.data,
    ...(tables.votes ? { [MODEL_FILES.communityVotes]: encodeVotes(tables.votes) } : {}),
    'weights.json': JSON.stringify({ config: input.cfg, index: packed.index }),
    [MODEL_FILES.trainEdges]: encodeTrainEdges({ users, communities: g.edgeCommunity, activity: Float32Array.from(g.edgePosts, (p, e) => p + g.edgeComments[e]!) }),
  };
  const sizes: Record<string, number> = {};
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), data);
    sizes[name] = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
  return { files: sizes };
}

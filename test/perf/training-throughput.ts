import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashedTfidfEmbedder } from '../../shared/embed/hashed-tfidf.ts';
import { NoTextFeatures } from '../../shared/embed/no-text-features.ts';
import { createRng } from '../../shared/encoder/random.ts';
import { EDGE_WEIGHT_EPSILON } from '../../shared/graph/edge-features.ts';
import { ingest } from '../../server/encoder/ingest/index.ts';
import { initBackend } from '../../models/encoder/backend.ts';
import { EncoderConfig } from '../../models/encoder/config.ts';
import { buildTrainingSet, splitUsers } from '../../models/encoder/dataset.ts';
import { meanEdgeWeight, Sampler } from '../../models/encoder/sampler.ts';
import { Trainer } from '../../models/encoder/trainer.ts';

/**
 * Training throughput of a model directory's configuration on the vendored Reddit graph: timed steps
 * (sampling included) after a warm-up, real (unpadded) user–community edges per second and peak memory.
 * Run as a script so each measurement gets a fresh process (the benchmark compares ZIPP's wasm kernels
 * with TensorFlow.js' stock ones, which are process-global):
 *   node --import tsx test/perf/training-throughput.ts [--stock-kernels] [--steps N] [--model DIR]
 *     [--data DIR] [--config '{"batchSize":1024}'] [--feature-dim N] [--shapes FILE]
 * --data picks the vendored graph (models/data/reddit by default; a folder without communities.jsonl, such
 * as models/data/reddit-dense, trains structure-only). --shapes writes the shared step config — the model's
 * sizes and the real shape of every timed step — that the PyTorch peer (torch_peer.py) replays.
 */
export interface ThroughputResult {
  edgesPerSecond: number;
  slotsPerSecond: number;
  stepsPerSecond: number;
  steps: number;
  peakRssMiB: number;
  wasmHeapMiB: number;
  vocabulary: number;
  config: Pick<EncoderConfig, 'hidden' | 'heads' | 'layers' | 'batchSize' | 'negatives' | 'propagation' | 'maskRate'> & { featureDim: number };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What torch_peer.py reads: the model's sizes and each timed step's real shape. */
export interface SharedStepConfig {
  hidden: number;
  heads: number;
  layers: number;
  featureDim: number;
  vocabulary: number;
  negatives: EncoderConfig['negatives'];
  propagation: number;
  temperature: number;
  learningRate: number;
  graph: { users: number; edges: number };
  warmup: number;
  steps: { batch: number; width: number; realEdges: number; unique: number; columns: number }[];
}

export async function measureTraining(
  options: {
    modelDir?: string;
    dataDir?: string;
    steps?: number;
    warmup?: number;
    stockKernels?: boolean;
    overrides?: Record<string, unknown>;
    featureDim?: number;
    shapesFile?: string;
  } = {},
): Promise<ThroughputResult> {
  const modelDir = options.modelDir ?? path.join(ROOT, 'models/zipp-encoder');
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'vocabulary.json'), 'utf8')) as { architecture: { featureDim: number }; training: { config: object } };
  const cfg = EncoderConfig.parse({ ...manifest.training.config, ...options.overrides });
  await initBackend('wasm', undefined, { stockKernels: options.stockKernels ?? false });
  const data = options.dataDir ?? path.join(ROOT, 'models/data/reddit');
  const communities = path.join(data, 'communities.jsonl');
  const texts = existsSync(communities);
  const featureDim = texts ? (options.featureDim ?? manifest.architecture.featureDim) : 0;
  const ingested = await ingest({ inputs: [path.join(data, 'interactions.csv')], ...(texts ? { communities } : {}) });
  const split = splitUsers(ingested.interactions, { holdoutShare: 0.15, validationShare: cfg.validationShare, seed: cfg.seed });
  const set = await buildTrainingSet(split.train, {
    minCommunityUsers: 2,
    minCommunityActivity: 1,
    
    labels: ingested.labels,
    embedder: async (corpus) => (texts ? HashedTfidfEmbedder.fit(corpus, { dimension: featureDim }) : new NoTextFeatures()),
  });
  const edgeScale = 1 / meanEdgeWeight(set.graph, EDGE_WEIGHT_EPSILON);
  const sampler = new Sampler(set.graph, cfg, edgeScale, EDGE_WEIGHT_EPSILON);
  const trainer = new Trainer(cfg, {
    features: set.features,
    featureDim,
    communities: set.graph.communities.length,
    initialBias: sampler.logPopularity(),
    ...(cfg.propagation > 0 ? { graph: set.graph } : {}),
  });
  const rng = createRng(cfg.seed);
  const users = sampler.eligibleUsers();
  const steps = options.steps ?? 40;
  const warmup = options.warmup ?? 3;
  let plan: number[][] = [];
  const next = () => {
    if (plan.length === 0) plan = sampler.epochPlan(rng, users);
    return plan.pop()!;
  };
  for (let i = 0; i < warmup; i++) trainer.step(sampler.batch(rng, next()), rng);
  let edges = 0;
  let slots = 0;
  let peak = process.memoryUsage().rss;
  const shapes: SharedStepConfig['steps'] = [];
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const batch = sampler.batch(rng, next());
    trainer.step(batch, rng);
    edges += batch.realEdges;
    slots += batch.size * batch.width;
    shapes.push({ batch: batch.size, width: batch.width, realEdges: batch.realEdges, unique: batch.unique.length, columns: batch.columns });
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (options.shapesFile) {
    const shared: SharedStepConfig = {
      hidden: cfg.hidden,
      heads: cfg.heads,
      layers: cfg.layers,
      featureDim,
      vocabulary: set.graph.communities.length,
      negatives: cfg.negatives,
      propagation: cfg.propagation,
      temperature: cfg.temperature,
      learningRate: cfg.learningRate,
      graph: { users: set.graph.users.length, edges: set.graph.edgeCommunity.length },
      warmup,
      steps: shapes,
    };
    writeFileSync(options.shapesFile, JSON.stringify(shared));
  }
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.byteLength ?? 0;
  trainer.dispose();
  return {
    edgesPerSecond: edges / seconds,
    slotsPerSecond: slots / seconds,
    stepsPerSecond: steps / seconds,
    steps,
    peakRssMiB: peak / 2 ** 20,
    wasmHeapMiB: heap / 2 ** 20,
    vocabulary: set.graph.communities.length,
    config: { hidden: cfg.hidden, heads: cfg.heads, layers: cfg.layers, batchSize: cfg.batchSize, negatives: cfg.negatives, propagation: cfg.propagation, maskRate: cfg.maskRate, featureDim },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const result = await measureTraining({
    stockKernels: process.argv.includes('--stock-kernels'),
    ...(arg('--steps') ? { steps: Number(arg('--steps')) } : {}),
    ...(arg('--model') ? { modelDir: arg('--model')! } : {}),
    ...(arg('--data') ? { dataDir: arg('--data')! } : {}),
    ...(arg('--shapes') ? { shapesFile: arg('--shapes')! } : {}),
    ...(arg('--config') ? { overrides: JSON.parse(arg('--config')!) as Record<string, unknown> } : {}),
    ...(arg('--feature-dim') ? { featureDim: Number(arg('--feature-dim')) } : {}),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { HashedTfidfEmbedder, type HashedTfidfOptions } from '../../shared/embed/hashed-tfidf.ts';
import type { TextEmbedder } from '../../shared/embed/types.ts';
import type { Interaction } from '../../shared/graph/bipartite.ts';
import { writeModelDir } from '../../models/encoder/artifact.ts';
import { initBackend } from '../../models/encoder/backend.ts';
import { EncoderConfig, type EncoderConfigInput } from '../../models/encoder/config.ts';
import { buildTrainingSet, listsByUser, splitUsers } from '../../models/encoder/dataset.ts';
import { trainEncoder, type TrainProgress, type TrainResult } from '../../models/encoder/train.ts';
import type { EvaluationReport } from '../../shared/encoder/evaluation-report.ts';
import { evaluateModel } from './evaluate.ts';
import { describeReport, ingest, interactionsCsv, type IngestReport } from './ingest/index.ts';

/**
 * `zipp encoder train` end to end: ingest → user split (held-out test users written beside the model) →
 * pruned training graph + community features → GATv2 training with early stopping → model directory →
 * leave-one-out evaluation of the exported ONNX model on the held-out users.
 */
export interface TrainRunOptions {
  interactions: string[];
  communities?: string;
  out: string;
  /** JSONL of {"user": name, "embedding": number[]}: per-user image embeddings (the ImageAlign term). */
  images?: string;
  config: EncoderConfigInput;
  holdoutShare: number;
  minCommunityUsers: number;
  minCommunityActivity: number;
  maxErrorRate?: number;
  keepBots?: boolean;
  keepNsfw?: boolean;
  /** Reddit's name rule for every input, not only Reddit ones (see IngestOptions). */
  redditNames?: boolean;
  /** Custom embedder (transformers.js / OpenAI); default: hashed TF-IDF fitted on the vocabulary's texts. */
  embedder?: (texts: string[]) => Promise<TextEmbedder>;
  hashedTfidf?: HashedTfidfOptions;
  checkpointDir?: string;
  resume?: boolean;
  progress?: TrainProgress;
  log?: (line: string) => void;
  /** Skip the held-out evaluation (tests that only need an artifact). */
  skipEvaluation?: boolean;
}

export interface TrainRunResult {
  result: TrainResult;
  ingest: IngestReport;
  evaluation: EvaluationReport | undefined;
  files: Record<string, number>;
  split: { train: number; validation: number; holdout: number };
  vocabulary: number;
  trainingEdges: number;
  featureKind: string;
  featureDim: number;
  pruning: { communities: number; edges: number; activityShare: number };
}

export const HELDOUT_FILE = 'heldout-interactions.csv';

const ImageLine = z.object({ user: z.string().min(1), embedding: z.array(z.number()).min(2) });

export function readImageEmbeddings(file: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let dim = 0;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let parsed;
      try {
        parsed = ImageLine.safeParse(JSON.parse(line));
      } catch {
        throw new InputError(`${file}:${i + 1}: not JSON; each line is {"user": "...", "embedding": [numbers]}`);
      }
      if (!parsed.success) throw new InputError(`${file}:${i + 1}: each line is {"user": "...", "embedding": [numbers]}`);
      const v = Float32Array.from(parsed.data.embedding);
      if (dim && v.length !== dim) throw new InputError(`${file}:${i + 1}: embedding has ${v.length} values, earlier lines ${dim}`);
      dim = v.length;
      let s = 0;
      for (const x of v) s += x * x;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      out.set(parsed.data.user, v.map((x) => x * inv));
    });
  return out;
}

export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const log = options.log ?? (() => {});
  const cfg = EncoderConfig.parse(options.config);
  const ingested = await ingest({
    inputs: options.interactions,
    ...(options.communities ? { communities: options.communities } : {}),
    ...(options.maxErrorRate !== undefined ? { maxErrorRate: options.maxErrorRate } : {}),
    keepBots: options.keepBots ?? false,
    keepNsfw: options.keepNsfw ?? false,
    redditNames: options.redditNames ?? false,
  });
  describeReport(ingested.report).forEach(log);

  const split = splitUsers(ingested.interactions, { holdoutShare: options.holdoutShare, validationShare: cfg.validationShare, seed: cfg.seed });
  const count = (rows: Interaction[]) => new Set(rows.map((r) => r.user)).size;
  const splitCounts = { train: count(split.train), validation: count(split.validation), holdout: count(split.holdout) };
  log(`users: ${splitCounts.train} train, ${splitCounts.validation} validation, ${splitCounts.holdout} held out (written to ${HELDOUT_FILE})`);

  const set = await buildTrainingSet(split.train, {
    minCommunityUsers: options.minCommunityUsers,
    minCommunityActivity: options.minCommunityActivity,
    ...(ingested.records ? { records: ingested.records } : {}),
    labels: ingested.labels,
    embedder: options.embedder ?? (async (texts) => HashedTfidfEmbedder.fit(texts, options.hashedTfidf)),
  });
  log(
    `vocabulary: ${set.graph.communities.length} communities (${set.pruning.communities} long-tail communities pruned, ${(set.pruning.activityShare * 100).toFixed(2)}% of training activity); features: ${set.embedder.describe().kind}, ${set.featureDim} dims`,
  );

  const images = options.images ? readImageEmbeddings(options.images) : undefined;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ cfg, n: set.graph.edgeCommunity.length, v: set.graph.communities, f: set.featureDim, img: images?.size ?? 0 }))
    .digest('hex')
    .slice(0, 16);
  await initBackend('wasm');
  const result = await trainEncoder({
    cfg,
    set,
    validation: listsByUser(split.validation),
    ...(images ? { images } : {}),
    fingerprint,
    ...(options.checkpointDir ? { checkpointDir: options.checkpointDir } : {}),
    resume: options.resume ?? false,
    ...(options.progress ? { progress: options.progress } : {}),
  });

  mkdirSync(options.out, { recursive: true });
  writeFileSync(path.join(options.out, HELDOUT_FILE), interactionsCsv(split.holdout));
  const training = {
    data: options.interactions.map((p) => path.basename(p)),
    communitiesFile: options.communities ? path.basename(options.communities) : null,
    filters: {
      bots: !options.keepBots,
      nsfw: !options.keepNsfw,
      minCommunityUsers: options.minCommunityUsers,
      minCommunityActivity: options.minCommunityActivity,
    },
    ingest: ingested.report.final,
    split: splitCounts,
    vocabulary: set.graph.communities.length,
    trainingEdges: set.graph.edgeCommunity.length,
    config: cfg,
    bestEpoch: result.bestEpoch,
    epochsRun: result.history.length,
    stoppedEarly: result.stoppedEarly,
    validation: result.bestValidation,
    edgesPerSecond: Math.round(result.edgesPerSecond),
    images: images?.size ?? 0,
  };
  const { files } = await writeModelDir({ dir: options.out, cfg, trainer: result.trainer, set, embedder: set.embedder, edgeScale: result.edgeScale, training });
  result.trainer.dispose();

  let evaluation: EvaluationReport | undefined;
  if (!options.skipEvaluation && split.holdout.length > 0) {
    evaluation = await evaluateModel(options.out, listsByUser(split.holdout));
    writeFileSync(path.join(options.out, 'evaluation.json'), JSON.stringify(evaluation, null, 2) + '\n');
  }
  writeFileSync(path.join(options.out, 'training-log.json'), JSON.stringify({ ingest: ingested.report, history: result.history }, null, 2) + '\n');
  return {
    result,
    ingest: ingested.report,
    evaluation,
    files,
    split: splitCounts,
    vocabulary: set.graph.communities.length,
    trainingEdges: set.graph.edgeCommunity.length,
    featureKind: set.embedder.describe().kind,
    featureDim: set.featureDim,
    pruning: set.pruning,
  };
}

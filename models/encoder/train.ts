import * as tf from '@tensorflow/tfjs';
import { leaveOneOutCases, MetricAccumulator, type LeaveOneOutCase, type RankingMetrics } from '../../shared/encoder/evaluation.ts';
import { createRng } from '../../shared/encoder/random.ts';
import { EDGE_WEIGHT_EPSILON } from '../../shared/graph/edge-features.ts';
import { buildPaddedNeighbourhood, type NeighbourEntry } from '../../shared/graph/neighbourhood.ts';
import type { CommunityActivity } from '../../shared/schemas/community.ts';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type EpochRecord } from './checkpoint.ts';
import type { EncoderConfig } from './config.ts';
import type { TrainingSet } from './dataset.ts';
import { meanEdgeWeight, Sampler } from './sampler.ts';
import { Trainer, type CommunityTables } from './trainer.ts';
import { MASK_PENALTY } from './gatv2.ts';
import { trainingVotes } from './votes.ts';
import { addVotes } from '../../shared/encoder/votes.ts';

/** Progress callbacks (the CLI draws a bar; tests and benchmarks pass nothing). */
export interface TrainProgress {
  start(totalSteps: number, stepsPerEpoch: number): void;
  step(done: number, info: { epoch: number; loss: number; edgesPerSecond: number }): void;
  epoch(record: EpochRecord, improved: boolean): void;
  stop(): void;
}

export interface TrainOptions {
  cfg: EncoderConfig;
  set: TrainingSet;
  /** Validation users' community lists (never trained on): early stopping on their leave-one-out MRR. */
  validation: ReadonlyMap<string, readonly CommunityActivity[]>;
  /** Per-user image embeddings (by user name) for the user ↔ image InfoNCE term. */
  images?: ReadonlyMap<string, Float32Array>;
  checkpointDir?: string;
  resume?: boolean;
  /** Identifies data + settings; a resumed checkpoint must match it. */
  fingerprint: string;
  progress?: TrainProgress;
}

export interface TrainResult {
  trainer: Trainer;
  history: EpochRecord[];
  bestEpoch: number;
  bestValidation: RankingMetrics | undefined;
  edgeScale: number;
  /** Training throughput over all epochs (real, unpadded user–community slots per second). */
  edgesPerSecond: number;
  stoppedEarly: boolean;
}

/** Validation users as neighbour lists over the training graph (unknown communities dropped). */
function validationInputs(cases: LeaveOneOutCase[], set: TrainingSet): NeighbourEntry[][] {
  return cases.map((c) =>
    c.input.flatMap((a) => {
      const index = set.graph.communityIndex.get(a.name);
      return index === undefined ? [] : [{ index, posts: a.posts, comments: a.comments }];
    }),
  );
}

/**
 * Leave-one-out metrics of the current weights on prepared cases, plus the mean cross-entropy of the
 * hidden community over the rankable vocabulary (logits = score / τ): a smoother criterion than MRR for
 * choosing the epoch to keep. Ranking is batched on the backend — scores [chunk, V], the user's other
 * communities masked, ranks counted against the hidden community's score — so validation stays a small
 * fraction of an epoch even with a 13k-community vocabulary. Ranks follow rankOf (ties count half).
 */
export function evaluateCases(
  trainer: Trainer,
  tables: CommunityTables,
  cases: LeaveOneOutCase[],
  lists: NeighbourEntry[][],
  set: TrainingSet,
  edgeScale: number,
): { metrics: RankingMetrics; loss: number } {
  const acc = new MetricAccumulator();
  let loss = 0;
  const chunk = 256;
  const V = set.graph.communities.length;
  for (let i = 0; i < cases.length; i += chunk) {
    const part = cases.slice(i, i + chunk);
    const hood = buildPaddedNeighbourhood(lists.slice(i, i + chunk), {
      communityActivity: (c) => set.graph.communityActivity[c]!,
      maxWidth: trainer.cfg.maxNeighbours,
      edgeScale,
    });
    const n = hood.batch;
    const { embeddings } = trainer.encode(tables, hood);
    const penalty = new Float32Array(n * V);
    part.forEach((c, b) => c.exclude.forEach((s) => (penalty[b * V + s] = MASK_PENALTY)));
    // Co-membership votes of the input slots the network saw (the same rows, longer lists truncated alike).
    if (tables.votes) {
      for (let b = 0; b < n; b++) {
        const rows: number[] = [];
        for (let j = 0; j < hood.width; j++) if (hood.mask[b * hood.width + j]! > 0) rows.push(hood.ids[b * hood.width + j]!);
        addVotes(penalty.subarray(b * V, (b + 1) * V), rows, tables.votes);
      }
    }
    const rows = Int32Array.from(part, (_, b) => b);
    const at = (cols: Int32Array) => tf.stack([tf.tensor1d(rows, 'int32'), tf.tensor1d(cols, 'int32')], 1) as tf.Tensor2D;
    const [above, ties, negativeScore, hiddenScore, lse] = tf.tidy(() => {
      const scores = tf.matMul(tf.tensor2d(embeddings, [n, trainer.cfg.hidden]), tables.embeddings, false, true).add(tables.prior).add(tf.tensor2d(penalty, [n, V]));
      const hidden = tf.gatherND(scores, at(Int32Array.from(part, (c) => c.hidden))).expandDims(1);
      const negative = tf.gatherND(scores, at(Int32Array.from(part, (c) => c.negative)));
      return [
        scores.greater(hidden).sum(1),
        scores.equal(hidden).sum(1), // includes the hidden community itself
        negative,
        hidden.squeeze([1]),
        tf.logSumExp(scores.div(trainer.cfg.temperature), 1),
      ].map((t) => t.dataSync()) as [Int32Array, Int32Array, Float32Array, Float32Array, Float32Array];
    });
    for (let b = 0; b < n; b++) {
      const h = hiddenScore[b]!;
      const neg = negativeScore[b]!;
      acc.addRank(1 + above[b]! + Math.floor((ties[b]! - 1) / 2), h > neg ? 1 : h === neg ? 0.5 : 0);
      loss += lse[b]! - h / trainer.cfg.temperature;
    }
  }
  return { metrics: acc.result(), loss: cases.length ? loss / cases.length : 0 };
}

export async function trainEncoder(options: TrainOptions): Promise<TrainResult> {
  const { cfg, set } = options;
  const graph = set.graph;
  const edgeScale = 1 / meanEdgeWeight(graph, EDGE_WEIGHT_EPSILON);
  let images: { dim: number; byUser: Map<number, Float32Array> } | undefined;
  if (options.images && options.images.size > 0) {
    const byUser = new Map<number, Float32Array>();
    const userIndex = new Map(graph.users.map((u, i) => [u, i]));
    let dim = 0;
    for (const [user, v] of options.images) {
      const u = userIndex.get(user);
      if (u === undefined) continue;
      dim = v.length;
      byUser.set(u, v);
    }
    if (byUser.size > 0) images = { dim, byUser };
  }
  const sampler = new Sampler(graph, cfg, edgeScale, EDGE_WEIGHT_EPSILON);
  const trainer = new Trainer(cfg, {
    features: set.features,
    featureDim: set.featureDim,
    communities: graph.communities.length,
    initialBias: sampler.logPopularity(),
    ...(cfg.votes > 0 ? { votes: trainingVotes(graph, cfg.votes) } : {}),
    ...(cfg.propagation > 0 ? { graph } : {}),
    ...(images ? { images } : {}),
  });
  const users = sampler.eligibleUsers();
  if (users.length < 2) throw new Error('fewer than 2 training users with 2+ communities; nothing to learn from');

  const lookup = { size: graph.communities.length, lookup: (name: string) => graph.communityIndex.get(name) };
  const allCases = leaveOneOutCases(options.validation, lookup, cfg.seed + 1);
  const cases = createRng(cfg.seed + 2).shuffle(allCases).slice(0, cfg.validationUsers);
  const caseInputs = validationInputs(cases, set);

  try {
    return await runEpochs(options, trainer, sampler, users, cases, caseInputs, edgeScale);
  } catch (err) {
    trainer.dispose();
    throw err;
  }
}

async function runEpochs(
  options: TrainOptions,
  trainer: Trainer,
  sampler: Sampler,
  users: number[],
  cases: LeaveOneOutCase[],
  caseInputs: NeighbourEntry[][],
  edgeScale: number,
): Promise<TrainResult> {
  const { cfg, set } = options;
  let rng = createRng(cfg.seed);
  let startEpoch = 1;
  let history: EpochRecord[] = [];
  let best = trainer.averagedWeights();
  let bestEpoch = 0;
  let bestScore = -Infinity;
  if (options.resume && options.checkpointDir && hasCheckpoint(options.checkpointDir)) {
    const loaded = await loadCheckpoint(options.checkpointDir, trainer, options.fingerprint);
    rng = createRng(loaded.state.rng);
    startEpoch = loaded.state.epoch + 1;
    history = loaded.state.history;
    best = loaded.best;
    bestEpoch = loaded.state.bestEpoch;
    bestScore = loaded.state.bestScore ?? -Infinity; // JSON stores -Infinity as null
  }

  const stepsPerEpoch = Math.ceil(users.length / cfg.batchSize);
  options.progress?.start(cfg.epochs * stepsPerEpoch, stepsPerEpoch);
  let stoppedEarly = false;
  let totalEdges = history.reduce((s, h) => s + h.edgesPerSecond * h.seconds, 0);
  let totalSeconds = history.reduce((s, h) => s + h.seconds, 0);
  try {
    for (let epoch = startEpoch; epoch <= cfg.epochs; epoch++) {
      if (cases.length > 0 && epoch - bestEpoch > cfg.patience && bestEpoch > 0) {
        stoppedEarly = true;
        break;
      }
      const plan = sampler.epochPlan(rng, users);
      let lossSum = 0;
      let imageSum = 0;
      let linkSum = 0;
      let edges = 0;
      let seconds = 0;
      for (const [i, batchUsers] of plan.entries()) {
        const t0 = performance.now();
        const batch = sampler.batch(rng, batchUsers);
        const losses = trainer.step(batch, rng);
        seconds += (performance.now() - t0) / 1000;
        edges += batch.realEdges;
        lossSum += losses.community;
        imageSum += losses.image;
        linkSum += losses.link;
        if (!Number.isFinite(losses.total)) throw new Error(`training diverged at epoch ${epoch} (loss ${losses.total}); lower --learning-rate`);
        options.progress?.step((epoch - 1) * stepsPerEpoch + i + 1, { epoch, loss: lossSum / (i + 1), edgesPerSecond: edges / seconds });
      }
      totalEdges += edges;
      totalSeconds += seconds;
      const v0 = performance.now();
      const { metrics: validation, loss: validationLoss } = trainer.withAveragedWeights(() => {
        if (cases.length === 0) return { metrics: { 'hit@1': 0, 'hit@10': 0, mrr: 0, posting_accuracy: 0 }, loss: 0 };
        const tables = trainer.tables();
        const result = evaluateCases(trainer, tables, cases, caseInputs, set, edgeScale);
        tables.values.forEach((t) => t.dispose());
        tables.embeddings.dispose();
        tables.prior.dispose();
        return result;
      });
      const record: EpochRecord = {
        epoch,
        loss: lossSum / plan.length,
        imageLoss: imageSum / plan.length,
        linkLoss: linkSum / plan.length,
        validation,
        validationLoss,
        seconds,
        validationSeconds: (performance.now() - v0) / 1000,
        edgesPerSecond: edges / seconds,
      };
      history.push(record);
      // Without validation users every epoch counts as the best (the last weights are kept).
      const score = cfg.selectBy === 'loss' ? -validationLoss : validation.mrr;
      const improved = cases.length === 0 || score > bestScore;
      if (improved) {
        bestScore = score;
        bestEpoch = epoch;
        best = trainer.averagedWeights();
      }
      options.progress?.epoch(record, improved);
      if (options.checkpointDir) {
        await saveCheckpoint(options.checkpointDir, trainer, best, { epoch, rng: rng.state(), bestEpoch, bestScore, history, fingerprint: options.fingerprint });
      }
    }
  } finally {
    options.progress?.stop();
  }
  trainer.setWeights(best);
  return {
    trainer,
    history,
    bestEpoch,
    bestValidation: history.find((h) => h.epoch === bestEpoch)?.validation,
    edgeScale,
    edgesPerSecond: totalSeconds > 0 ? totalEdges / totalSeconds : 0,
    stoppedEarly,
  };
}

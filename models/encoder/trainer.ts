import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../shared/encoder/random.ts';
import type { EncoderConfig } from './config.ts';
import { communityEmbeddings, communityHidden, encodeUsers, l2normalize, layerNorm, sourceValues } from './gatv2.ts';
import { createParams, initialValues, layerNames, param, readParams, type Params } from './params.ts';
import type { StepBatch } from './sampler.ts';
import { propagate, propagationGraph, type PropagationGraph } from './propagation.ts';
import { castVotes } from './votes.ts';
import type { CommunityVotes } from '../../shared/encoder/votes.ts';
import type { BipartiteGraph } from '../../shared/graph/bipartite.ts';

/** Per-user image embeddings for the user ↔ image InfoNCE term (rows: training-graph user index). */
export interface ImageTargets {
  dim: number;
  byUser: Map<number, Float32Array>;
}

export interface TrainerData {
  /** [communities, featureDim] text features of the vocabulary, row-aligned with the graph. */
  features: Float32Array;
  featureDim: number;
  communities: number;
  images?: ImageTargets;
  /** Initial community bias (see ParamShapes.initialBias). */
  initialBias?: Float32Array;
  /** The training graph, for co-membership propagation (EncoderConfig.propagation > 0). */
  graph?: BipartiteGraph;
  /** Co-membership votes (EncoderConfig.votes > 0): neighbour rows [V × k] and, for a fresh model, initial weights. */
  votes?: { neighbours: Int32Array; initial?: Float32Array };
}

export interface StepLosses {
  total: number;
  community: number;
  image: number;
  link: number;
}

/**
 * Mean cross-entropy of rows of logits against target distributions (rows summing to 1), with the fused
 * gradient (softmax − targets) / B: about half the passes over [B, C] of autograd through logSoftmax.
 */
const softmaxCrossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [logits, targets, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const lse = tf.logSumExp(logits, 1, true);
  save([logits, targets, lse]);
  const value = lse.squeeze([1]).sub(logits.mul(targets).sum(1)).mean() as tf.Scalar;
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [l, t, z] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const rows = l.shape[0]!;
      return [tf.exp(l.sub(z)).sub(t).mul((dy as tf.Tensor).div(rows)), tf.zerosLike(t)];
    },
  };
}) as (logits: tf.Tensor2D, targets: tf.Tensor2D) => tf.Scalar;

/** The full-vocabulary community tables (what the ONNX export precomputes). */
export interface CommunityTables {
  /** Per layer [V, H] source values. */
  values: tf.Tensor2D[];
  /** [V, H] L2-normalised community embeddings. */
  embeddings: tf.Tensor2D;
  /** [V] prior added to the cosine when ranking: temperature × learned bias (same order as training logits). */
  prior: tf.Tensor1D;
  /** Co-membership votes in score units (temperature × learned weights); null when off. */
  votes: CommunityVotes | null;
}

/**
 * Owns the parameters, the Adam state and the feature table on the TensorFlow.js backend, and runs
 * training steps and full-vocabulary passes. Everything random comes from the caller's seeded Rng.
 */
export class Trainer {
  readonly params: Params;
  readonly optimizer: tf.AdamOptimizer;
  /** Null for a structure-only model (featureDim 0). */
  private readonly features: tf.Tensor2D | null;
  private readonly images: { dim: number; rows: Map<number, number>; table: tf.Tensor2D } | undefined;
  /** Co-membership propagation over the training graph; undefined when EncoderConfig.propagation is 0. */
  private readonly propagation: PropagationGraph | undefined;
  /** Moving average of the weights (see EncoderConfig.ema); undefined when off. */
  private readonly average: Map<string, tf.Variable> | undefined;

  constructor(
    readonly cfg: EncoderConfig,
    readonly data: TrainerData,
    values?: Map<string, [number[], Float32Array]>,
  ) {
    const shapes = {
      featureDim: data.featureDim,
      communities: data.communities,
      ...(data.images ? { imageDim: data.images.dim } : {}),
      ...(data.initialBias ? { initialBias: data.initialBias } : {}),
      ...(data.votes?.initial ? { initialVotes: data.votes.initial } : {}),
    };
    if (cfg.votes > 0) {
      if (!data.votes || data.votes.neighbours.length !== data.communities * cfg.votes) throw new Error('co-membership votes need their neighbour table (TrainerData.votes)');
      if (cfg.negatives !== 'vocabulary') throw new Error('co-membership votes need negatives = "vocabulary" (a full softmax)');
    }
    this.params = createParams(values ?? initialValues(cfg, shapes));
    this.optimizer = tf.train.adam(cfg.learningRate);
    if (cfg.ema > 0) {
      this.average = new Map(
        [...this.params].map(([name, p]) => {
          const copy = p.clone();
          const v = tf.variable(copy, false, `${p.name}/average`);
          copy.dispose();
          return [name, v];
        }),
      );
    }
    if (data.featureDim === 0 && !cfg.freeEmbeddings) throw new Error('a structure-only encoder (no text features) needs free community vectors');
    this.features = data.featureDim > 0 ? tf.tensor2d(data.features, [data.communities, data.featureDim]) : null;
    if (cfg.propagation > 0) {
      if (!data.graph) throw new Error('co-membership propagation needs the training graph (TrainerData.graph)');
      this.propagation = propagationGraph(data.graph);
    }
    if (data.images && data.images.byUser.size > 0) {
      const users = [...data.images.byUser.keys()].sort((a, b) => a - b);
      const flat = new Float32Array(users.length * data.images.dim);
      users.forEach((u, i) => flat.set(data.images!.byUser.get(u)!, i * data.images!.dim));
      this.images = { dim: data.images.dim, rows: new Map(users.map((u, i) => [u, i])), table: tf.tensor2d(flat, [users.length, data.images.dim]) };
    }
  }

  /**
   * Feature rows of the step's communities, copied in JavaScript: the wasm GatherV2 kernel copies element
   * by element and took ~50 ms for 1,200 rows × 1,024 features, the typed-array copy well under 1 ms.
   */
  private featureRows(rows: Int32Array): tf.Tensor2D | null {
    const F = this.data.featureDim;
    if (F === 0) return null;
    const out = new Float32Array(rows.length * F);
    rows.forEach((r, i) => out.set(this.data.features.subarray(r * F, (r + 1) * F), i * F));
    return tf.tensor2d(out, [rows.length, F]);
  }

  /** One optimisation step; returns the losses (synchronously read back, the wasm backend is synchronous anyway). */
  step(batch: StepBatch, rng: Rng): StepLosses {
    const { cfg } = this;
    const H = cfg.hidden;
    const B = batch.size;
    const K = batch.width;
    const U = batch.unique.length;
    const C = batch.columns;
    // Without text features the free vector is all a community has: never drop it.
    const idDropout = this.features ? cfg.idDropout : 0;
    // With propagation every community's state is computed (it mixes in its co-members'), so ids drop out vocabulary-wide.
    const keep = Float32Array.from({ length: this.propagation ? this.data.communities : U }, () => (rng.next() < idDropout ? 0 : 1));
    const noise = Float32Array.from({ length: B * H }, () => rng.normal() * cfg.userNoise);
    const imageRows: number[] = [];
    const imageUsers: number[] = [];
    if (this.images && cfg.imageWeight > 0) {
      batch.users.forEach((u, i) => {
        const r = this.images!.rows.get(u);
        if (r !== undefined) {
          imageRows.push(r);
          imageUsers.push(i);
        }
      });
    }
    const useImages = imageRows.length >= 2;
    const lossTensors: tf.Scalar[] = [];

    const total = this.optimizer.minimize(
      () => {
        const unique = tf.tensor1d(batch.unique, 'int32');
        const all = batch.wholeVocabulary || this.propagation !== undefined;
        const features = all ? this.features : this.featureRows(batch.unique);
        let free: tf.Tensor2D | null = null;
        if (cfg.freeEmbeddings) {
          const table = param(this.params, 'community.id') as tf.Tensor2D;
          const rows = all ? table : tf.gather(table, unique);
          free = (idDropout > 0 ? rows.mul(tf.tensor2d(keep, [keep.length, 1])) : rows) as tf.Tensor2D;
        }
        let hs = communityHidden(this.params, features, free);
        if (this.propagation) {
          hs = propagate(hs, this.propagation, cfg.propagation);
          if (!batch.wholeVocabulary) hs = tf.gather(hs, unique);
        }
        const slots = tf.tensor1d(batch.slots, 'int32');
        const values = sourceValues(this.params, cfg, hs).map((v) => tf.gather(v, slots).reshape([B, K, H]) as tf.Tensor3D);
        const start = param(this.params, 'user.init').expandDims(0).add(tf.tensor2d(noise, [B, H])) as tf.Tensor2D;
        const out = encodeUsers(this.params, cfg, {
          values,
          edges: tf.tensor3d(batch.edges, [B, K, 2]),
          mask: tf.tensor2d(batch.mask, [B, K]),
          start,
        });
        const zs = communityEmbeddings(this.params, hs);
        const bias = param(this.params, 'community.bias');
        const global = (locals: Int32Array) => tf.tensor1d(Int32Array.from(locals, (l) => batch.unique[l]!), 'int32');
        // logits = z_u·z_c/τ + b_c + constants, as one matMul of [z_u/τ, 1] and [z_c, b_c]: the bias
        // gradient then comes out of the matMul instead of a slow column sum over [B, C].
        const userSide = tf.concat([out.embedding.div(cfg.temperature), tf.ones([B, 1])], 1);
        const side = (locals: Int32Array | null) =>
          locals ? tf.concat([tf.gather(zs, tf.tensor1d(locals, 'int32')), tf.gather(bias, global(locals)).expandDims(1)], 1) : tf.concat([zs, bias.expandDims(1)], 1);
        let logits = tf.matMul(userSide, side(batch.wholeVocabulary ? null : batch.candidates), false, true);
        if (batch.positives) logits = tf.concat([userSide.mul(side(batch.positives)).sum(1, true), logits], 1);
        logits = logits.add(tf.tensor2d(batch.constant, [B, C]));
        if (cfg.votes > 0) {
          const inputs = Int32Array.from(batch.slots, (l, i) => (batch.mask[i]! > 0 ? batch.unique[l]! : -1));
          logits = logits.add(castVotes(param(this.params, 'community.votes') as tf.Tensor2D, inputs, K, this.data.votes!.neighbours, this.data.communities));
        }
        const targets = tf.tensor2d(batch.targets, [B, C]);
        const community = softmaxCrossEntropy(logits as tf.Tensor2D, targets);
        lossTensors.push(community);
        let loss: tf.Scalar = community;
        if (cfg.idWeightDecay > 0 && cfg.freeEmbeddings) {
          loss = loss.add(param(this.params, 'community.id').square().sum().mul(0.5 * cfg.idWeightDecay));
        }
        if (cfg.linkWeight > 0) {
          // BCE on the positive vs one sampled negative per user (a uniformly drawn candidate when there are any).
          // One negative per user: a uniform draw (sampled mode) or the next user's positive column.
          const negCol = Int32Array.from({ length: B }, (_, i) =>
            !batch.wholeVocabulary && cfg.randomNegatives > 0 ? C - cfg.randomNegatives + (i % cfg.randomNegatives) : batch.labels[(i + 1) % B]!,
          );
          const pos = logits.mul(targets).sum(1);
          const neg = logits.mul(tf.oneHot(tf.tensor1d(negCol, 'int32'), C)).sum(1);
          const link = tf.softplus(pos.neg()).add(tf.softplus(neg)).mean() as tf.Scalar;
          lossTensors.push(link);
          loss = loss.add(link.mul(cfg.linkWeight));
        }
        if (useImages) {
          const rows = tf.tensor1d(imageUsers, 'int32');
          const pred = l2normalize(tf.matMul(tf.gather(out.hidden, rows), param(this.params, 'image_head.kernel')).add(param(this.params, 'image_head.bias')));
          const targets = tf.gather(this.images!.table, tf.tensor1d(imageRows, 'int32'));
          const il = tf.matMul(pred, targets, false, true).div(cfg.temperature);
          const image = tf.logSoftmax(il).mul(tf.eye(imageRows.length)).sum(1).mean().neg() as tf.Scalar;
          lossTensors.push(image);
          loss = loss.add(image.mul(cfg.imageWeight));
        }
        lossTensors.forEach((t) => tf.keep(t));
        return loss;
      },
      true,
      [...this.params].filter(([name]) => (useImages || !name.startsWith('image_head.')) && (cfg.freeEmbeddings || name !== 'community.id')).map(([, v]) => v),
    );
    const result: StepLosses = { total: total!.dataSync()[0]!, community: 0, image: 0, link: 0 };
    let i = 0;
    result.community = lossTensors[i++]!.dataSync()[0]!;
    if (cfg.linkWeight > 0) result.link = lossTensors[i++]!.dataSync()[0]!;
    if (useImages) result.image = lossTensors[i++]!.dataSync()[0]!;
    total!.dispose();
    lossTensors.forEach((t) => t.dispose());
    if (this.average) {
      const d = cfg.ema;
      tf.tidy(() => this.average!.forEach((avg, name) => avg.assign(avg.mul(d).add(this.params.get(name)!.mul(1 - d)))));
    }
    return result;
  }

  /** Community tables over the whole vocabulary (no dropout): what inference and the exporter use. */
  tables(): CommunityTables {
    const tables = tf.tidy(() => {
      let hs = communityHidden(this.params, this.features, this.cfg.freeEmbeddings ? (param(this.params, 'community.id') as tf.Tensor2D) : null);
      if (this.propagation) hs = propagate(hs, this.propagation, this.cfg.propagation);
      const values = sourceValues(this.params, this.cfg, hs);
      const embeddings = communityEmbeddings(this.params, hs);
      const prior = param(this.params, 'community.bias').mul(this.cfg.temperature) as tf.Tensor1D;
      return { values, embeddings, prior };
    });
    const votes =
      this.cfg.votes > 0
        ? { k: this.cfg.votes, neighbours: this.data.votes!.neighbours, weights: (param(this.params, 'community.votes').dataSync() as Float32Array).map((w) => w * this.cfg.temperature) }
        : null;
    return { ...tables, votes };
  }

  /** The first layer's query for the deterministic initial user state: the same for every user. */
  firstQuery(): Float32Array {
    return tf.tidy(() => {
      const n = layerNames(0);
      const init = param(this.params, 'user.init').expandDims(0) as tf.Tensor2D;
      const normed = layerNorm(init, param(this.params, n.dstGamma), param(this.params, n.dstBeta)) as tf.Tensor2D;
      return tf.matMul(normed, param(this.params, n.dstKernel)).add(param(this.params, n.dstBias)).dataSync() as Float32Array;
    });
  }

  /** Source values for communities outside the vocabulary (text features only, no free vector). */
  extraValues(features: Float32Array, rows: number): tf.Tensor2D[] {
    if (this.data.featureDim === 0) throw new Error('a structure-only encoder cannot embed communities outside its vocabulary');
    return tf.tidy(() => sourceValues(this.params, this.cfg, communityHidden(this.params, tf.tensor2d(features, [rows, this.data.featureDim]), null)));
  }

  /**
   * Deterministic inference on padded inputs (ids < V index the vocabulary, ids ≥ V the extra rows):
   * the TensorFlow.js reference the ONNX export is checked against.
   */
  encode(
    tables: CommunityTables,
    input: { ids: Int32Array; edges: Float32Array; mask: Float32Array; batch: number; width: number },
    extra?: { features: Float32Array; rows: number },
  ): { embeddings: Float32Array; attention: Float32Array[] } {
    return tf.tidy(() => {
      const { batch: B, width: K } = input;
      const extraValues = extra ? this.extraValues(extra.features, extra.rows) : null;
      const ids = tf.tensor1d(input.ids, 'int32');
      const values = tables.values.map((t, l) => {
        const table = extraValues ? tf.concat([t, extraValues[l]!], 0) : t;
        return tf.gather(table, ids).reshape([B, K, this.cfg.hidden]) as tf.Tensor3D;
      });
      const out = encodeUsers(this.params, this.cfg, { values, edges: tf.tensor3d(input.edges, [B, K, 2]), mask: tf.tensor2d(input.mask, [B, K]), start: null });
      return { embeddings: out.embedding.dataSync() as Float32Array, attention: out.attention.map((a) => a.dataSync() as Float32Array) };
    });
  }

  weights(): Map<string, [number[], Float32Array]> {
    return readParams(this.params);
  }

  /** The moving-average weights (the training weights when averaging is off). */
  averagedWeights(): Map<string, [number[], Float32Array]> {
    return readParams(this.average ?? this.params);
  }

  setAveragedWeights(values: Map<string, [number[], Float32Array]>): void {
    if (!this.average) return;
    for (const [name, [shape, data]] of values) {
      const t = tf.tensor(data, shape);
      this.average.get(name)?.assign(t);
      t.dispose();
    }
  }

  /** Runs fn with the averaged weights in place of the training weights, then puts the latter back. */
  withAveragedWeights<T>(fn: () => T): T {
    if (!this.average) return fn();
    const current = this.weights();
    this.setWeights(readParams(this.average));
    try {
      return fn();
    } finally {
      this.setWeights(current);
    }
  }

  setWeights(values: Map<string, [number[], Float32Array]>): void {
    for (const [name, [shape, data]] of values) {
      const p = this.params.get(name);
      if (!p) continue;
      if (p.shape.join() !== shape.join()) throw new Error(`weights "${name}" have shape [${shape}], the model [${p.shape}]`);
      const t = tf.tensor(data, shape);
      p.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    this.params.forEach((p) => p.dispose());
    this.average?.forEach((p) => p.dispose());
    this.optimizer.dispose();
    this.features?.dispose();
    this.images?.table.dispose();
  }
}


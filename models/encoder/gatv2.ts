import * as tf from '@tensorflow/tfjs';
import type { EncoderConfig } from './config.ts';
import { layerNames, param, type Params } from './params.ts';

/**
 * The GATv2 encoder over a padded neighbourhood (TensorFlow.js, dense ops only).
 *
 * Communities (sources): h_s = x_s W_in + b_in + e_s, with x_s the text features and e_s a free
 * per-community vector. Per layer l, the source values are v_s = LN_l(h_s) W_src + b_src; they do not
 * depend on the user, so the exporter precomputes them for the whole vocabulary.
 *
 * Users (targets) start from a learned vector h_u⁰ (plus noise in training) and, per layer, attend over
 * their K community slots the GATv2 way:
 *   score_{us,k} = a_kᵀ LeakyReLU_0.2(LN_l(h_u) W_dst + b_dst + v_s + W_e e_us)   for head k,
 *   α_{us,k}     = softmax over the user's real slots (padding masked out),
 *   h_u ← h_u + (concat_k Σ_s α_{us,k} v_{s,k}) W_out + b_out                      (residual).
 * Outputs: z_u = normalize(h_u W_uh + b_uh), z_s = normalize(h_s W_ch + b_ch), and α per layer and head.
 *
 * Per-head sums use a block matrix R [heads, H] (R[k, d] = 1 when dimension d belongs to head k) so the
 * whole layer is matMuls and elementwise ops; the ONNX exporter (export-onnx.ts) emits the same ops.
 */

export const LN_EPSILON = 1e-5;
export const NORM_EPSILON = 1e-12;
/** Added to the scores of padding slots / excluded candidates: exp() of it is exactly 0 in float32. */
export const MASK_PENALTY = -1e9;

export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(LN_EPSILON).sqrt()).mul(gamma).add(beta);
}

export function l2normalize(x: tf.Tensor): tf.Tensor {
  return x.div(x.square().sum(-1, true).add(NORM_EPSILON).sqrt());
}

/** R [heads, H]: which hidden dimensions belong to which head. */
export function headBlocks(hidden: number, heads: number): Float32Array {
  const r = new Float32Array(heads * hidden);
  const size = hidden / heads;
  for (let k = 0; k < heads; k++) for (let d = k * size; d < (k + 1) * size; d++) r[k * hidden + d] = 1;
  return r;
}

/**
 * h_s for N communities: [N, F] features (+ [N, H] free vectors, already dropped out where wanted).
 * Structure-only models pass no features: h_s = e_s + b_in.
 */
export function communityHidden(p: Params, features: tf.Tensor2D | null, free: tf.Tensor2D | null): tf.Tensor2D {
  if (!features) {
    if (!free) throw new Error('a structure-only encoder needs its free community vectors');
    return free.add(param(p, 'input.bias')) as tf.Tensor2D;
  }
  const h = tf.matMul(features, param(p, 'input.kernel')).add(param(p, 'input.bias'));
  return (free ? h.add(free) : h) as tf.Tensor2D;
}

/** Per-layer source values [N, H] of communities with hidden state hs. */
export function sourceValues(p: Params, cfg: EncoderConfig, hs: tf.Tensor2D): tf.Tensor2D[] {
  return Array.from({ length: cfg.layers }, (_, l) => {
    const n = layerNames(l);
    const normed = layerNorm(hs, param(p, n.srcGamma), param(p, n.srcBeta));
    return tf.matMul(normed as tf.Tensor2D, param(p, n.srcKernel)).add(param(p, n.srcBias)) as tf.Tensor2D;
  });
}

/** z_s: the L2-normalised community embeddings users are matched against. */
export function communityEmbeddings(p: Params, hs: tf.Tensor2D): tf.Tensor2D {
  return l2normalize(tf.matMul(hs, param(p, 'community_head.kernel')).add(param(p, 'community_head.bias'))) as tf.Tensor2D;
}

export interface UserInputs {
  /** Per layer, the source values of each slot: [B, K, H]. */
  values: tf.Tensor3D[];
  /** [B, K, 2] edge features. */
  edges: tf.Tensor3D;
  /** [B, K] 1 = real slot. */
  mask: tf.Tensor2D;
  /** Initial user state, [B, H] (training: init + noise) or null for the deterministic init. */
  start: tf.Tensor2D | null;
}

export interface UserOutputs {
  /** Final hidden state [B, H] (before the output head). */
  hidden: tf.Tensor2D;
  /** L2-normalised user embedding [B, H]. */
  embedding: tf.Tensor2D;
  /** Per layer, attention [B, K, heads]. */
  attention: tf.Tensor3D[];
}

export function encodeUsers(p: Params, cfg: EncoderConfig, inputs: UserInputs): UserOutputs {
  const H = cfg.hidden;
  const [B, K] = inputs.mask.shape;
  const blocks = tf.tensor2d(headBlocks(H, cfg.heads), [cfg.heads, H]);
  const penalty = tf.scalar(1).sub(inputs.mask).mul(MASK_PENALTY).expandDims(2); // [B, K, 1]
  let h: tf.Tensor2D = inputs.start ?? (param(p, 'user.init').expandDims(0).tile([B, 1]) as tf.Tensor2D);
  const attention: tf.Tensor3D[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const n = layerNames(l);
    const values = inputs.values[l]!;
    const query = tf.matMul(layerNorm(h, param(p, n.dstGamma), param(p, n.dstBeta)) as tf.Tensor2D, param(p, n.dstKernel)).add(param(p, n.dstBias));
    const edge = tf.matMul(inputs.edges.reshape([B * K, 2]), param(p, n.edgeKernel)).reshape([B, K, H]);
    const hiddenScores = tf.leakyRelu(values.add(query.expandDims(1)).add(edge), 0.2); // [B, K, H]
    // A [H, heads] = a ⊙ Rᵀ: head k sums its own dimensions of a ⊙ score.
    const a = blocks.transpose().mul(param(p, n.attention).expandDims(1));
    const logits = tf.matMul(hiddenScores.reshape([B * K, H]), a).reshape([B, K, cfg.heads]).add(penalty);
    const shifted = logits.sub(logits.max(1, true));
    const e = shifted.exp();
    const alpha = e.div(e.sum(1, true)) as tf.Tensor3D; // [B, K, heads]
    attention.push(alpha);
    const spread = tf.matMul(alpha.reshape([B * K, cfg.heads]), blocks).reshape([B, K, H]);
    const message = spread.mul(values).sum(1); // [B, H]
    h = h.add(tf.matMul(message as tf.Tensor2D, param(p, n.outKernel)).add(param(p, n.outBias))) as tf.Tensor2D;
  }
  const embedding = l2normalize(tf.matMul(h, param(p, 'user_head.kernel')).add(param(p, 'user_head.bias'))) as tf.Tensor2D;
  return { hidden: h, embedding, attention };
}

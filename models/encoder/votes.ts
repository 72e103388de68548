import * as tf from '@tensorflow/tfjs';
import type { BipartiteGraph } from '../../shared/graph/bipartite.ts';
import { voteNeighbours } from '../../shared/encoder/votes.ts';

/**
 * The training side of the co-membership votes (shared/encoder/votes.ts holds the concept and inference):
 * the neighbour table from the training graph, with initial weights at the shrunk cosine in logit units —
 * a gentle start (on a 241-user sample, cosine / τ started with a validation loss of 23.9 against 7.2 for
 * this), from which training moves each weight.
 */
export function trainingVotes(graph: BipartiteGraph, k: number): { neighbours: Int32Array; initial: Float32Array } {
  const users = new Int32Array(graph.edgeCommunity.length);
  for (let u = 0; u < graph.users.length; u++) users.fill(u, graph.offsets[u]!, graph.offsets[u + 1]!);
  const { neighbours, similarity } = voteNeighbours(graph.communities.length, { users, communities: graph.edgeCommunity, activity: new Float32Array(users.length) }, k);
  return { neighbours, initial: similarity };
}

/**
 * The co-membership votes term of the training logits (shared/encoder/votes.ts): for each user b of the
 * step and each input community s, adds w[s, slot] to logit [b, neighbours[s·k + slot]]. A custom op walking
 * the inputs in plain JavaScript (users × inputs × k multiply-adds, ~1.6 M per step at 1024 × 50 × 32):
 * the gather + unsortedSegmentSum spelling writes and differentiates a [B·V] segment tensor per step. The
 * gradient of a weight is the sum of the logit gradients at the cells it voted for.
 *
 * inputs: [B × width] vocabulary rows of each user's input slots, −1 for padding.
 */
export function castVotes(weights: tf.Tensor2D, inputs: Int32Array, width: number, neighbours: Int32Array, V: number): tf.Tensor2D {
  const k = weights.shape[1];
  const B = inputs.length / width;
  /** Calls visit(logit cell b·V + c, weight slot) for every vote of the step. */
  const eachVote = (visit: (cell: number, slot: number) => void) => {
    for (let b = 0; b < B; b++)
      for (let j = 0; j < width; j++) {
        const s = inputs[b * width + j]!;
        if (s < 0) continue;
        for (let slot = s * k; slot < (s + 1) * k; slot++) {
          const c = neighbours[slot]!;
          if (c >= 0) visit(b * V + c, slot);
        }
      }
  };
  const op = tf.customGrad((w) => {
    const wv = (w as tf.Tensor).dataSync() as Float32Array;
    const out = new Float32Array(B * V);
    eachVote((cell, slot) => (out[cell]! += wv[slot]!));
    return {
      value: tf.tensor2d(out, [B, V]),
      gradFunc: (dy) => {
        const g = (dy as tf.Tensor).dataSync() as Float32Array;
        const dw = new Float32Array(wv.length);
        eachVote((cell, slot) => (dw[slot]! += g[cell]!));
        return tf.tensor2d(dw, [wv.length / k, k]);
      },
    };
  }) as unknown as (w: tf.Tensor2D) => tf.Tensor2D;
  return op(weights);
}

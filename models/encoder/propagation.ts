import * as tf from '@tensorflow/tfjs';
import type { BipartiteGraph } from '../../shared/graph/bipartite.ts';

/**
 * Co-membership propagation of the community states (LightGCN-style, parameter-free): the GATv2 layers
 * update only the user, so without this a community's state is its own id vector and rarely joined
 * communities learn from a handful of users. With P steps,
 *   h_s ← h_s + Σ_{p=1..P} Âᵖ h_s,   Â = D_c^{-1/2} Xᵀ D_u^{-1} X D_c^{-1/2},
 * where X is the training users × communities incidence, D_u the users' degrees and D_c the
 * communities'. One step averages, for each community, the communities its members also joined. It runs
 * on the whole vocabulary, so the exported per-layer tables hold the propagated states and inference costs
 * nothing extra.
 *
 * Â is applied by a custom op that walks the edge list in plain JavaScript (two passes of edges × hidden
 * multiply-adds). TensorFlow.js' gather + unsortedSegmentSum spelling of the same product made the first
 * reddit-dense epoch (233k edges, hidden 64, full softmax, 9 steps, wasm) take 64.7 s; with this op 18.5 s,
 * same loss. Â is symmetric, so its gradient is Â applied to the incoming gradient — the same op.
 */
export interface PropagationGraph {
  /** Edges of training user u are offsets[u] .. offsets[u + 1] - 1; edgeCommunity holds their rows. */
  offsets: Int32Array;
  edgeCommunity: Int32Array;
  /** 1 / d_u per user and 1 / √d_c per community. */
  inverseUserDegree: Float32Array;
  inverseSqrtCommunityDegree: Float32Array;
  users: number;
  communities: number;
}

export function propagationGraph(graph: BipartiteGraph): PropagationGraph {
  const U = graph.users.length;
  return {
    offsets: graph.offsets,
    edgeCommunity: graph.edgeCommunity,
    inverseUserDegree: Float32Array.from({ length: U }, (_, u) => 1 / Math.max(1, graph.offsets[u + 1]! - graph.offsets[u]!)),
    inverseSqrtCommunityDegree: Float32Array.from(graph.communityUsers, (n) => 1 / Math.sqrt(Math.max(1, n))),
    users: U,
    communities: graph.communities.length,
  };
}

/** Â x for x [V, H] as a flat row-major array. */
export function applyCoMembership(x: Float32Array, H: number, g: PropagationGraph): Float32Array {
  const dc = g.inverseSqrtCommunityDegree;
  const out = new Float32Array(g.communities * H);
  const acc = new Float32Array(H);
  for (let u = 0; u < g.users; u++) {
    const a = g.offsets[u]!;
    const b = g.offsets[u + 1]!;
    if (a === b) continue;
    acc.fill(0);
    for (let e = a; e < b; e++) {
      const c = g.edgeCommunity[e]!;
      const w = dc[c]!;
      const row = c * H;
      for (let k = 0; k < H; k++) acc[k]! += w * x[row + k]!;
    }
    const s = g.inverseUserDegree[u]!;
    for (let e = a; e < b; e++) {
      const c = g.edgeCommunity[e]!;
      const w = dc[c]! * s;
      const row = c * H;
      for (let k = 0; k < H; k++) out[row + k]! += w * acc[k]!;
    }
  }
  return out;
}

function coMembershipOp(g: PropagationGraph): (h: tf.Tensor2D) => tf.Tensor2D {
  const apply = (t: tf.Tensor): tf.Tensor2D => {
    const [V, H] = t.shape as [number, number];
    return tf.tensor2d(applyCoMembership(t.dataSync() as Float32Array, H, g), [V, H]);
  };
  return tf.customGrad((h) => ({ value: apply(h as tf.Tensor), gradFunc: (dy) => apply(dy as tf.Tensor) })) as unknown as (
    h: tf.Tensor2D,
  ) => tf.Tensor2D;
}

const ops = new WeakMap<PropagationGraph, (h: tf.Tensor2D) => tf.Tensor2D>();

export function propagate(h: tf.Tensor2D, g: PropagationGraph, steps: number): tf.Tensor2D {
  let op = ops.get(g);
  if (!op) ops.set(g, (op = coMembershipOp(g)));
  let out = h;
  let cur = h;
  for (let p = 0; p < steps; p++) {
    cur = op(cur);
    out = out.add(cur);
  }
  return out;
}

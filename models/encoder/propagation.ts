import * as tf from '@tensorflow/tfjs';
import type { BipartiteGraph } from '../../shared/graph/bipartite.ts';

/**
 * Co-membership propagation of the community states (LightGCN-style, parameter-free): the GATv2 layers
 * update only the user, so without this a community's state is its own id vector and rarely joined
 * communities learn from a handful of users. With P steps,
 *   h_s ← h_s + Σ_{p=1..P} Âᵖ h_s,   Â = D_c^{-1/2} Xᵀ D_u^{-1} X D_c^{-1/2},
 * where X is the training users × communities incidence, D_u the users' degrees and D_c the
 * communities'. One step averages, for each community, the communities its members also joined. It runs
 * on the whole vocabulary (gather + unsortedSegmentSum over the training edges, differentiable), so the
 * exported per-layer tables hold the propagated states and inference costs nothing extra.
 */
export interface PropagationGraph {
  /** Per training edge: user row and community row. */
  edgeUser: tf.Tensor1D;
  edgeCommunity: tf.Tensor1D;
  /** [U, 1] 1 / d_u and [V, 1] 1 / √d_c. */
  inverseUserDegree: tf.Tensor2D;
  inverseSqrtCommunityDegree: tf.Tensor2D;
  users: number;
  communities: number;
}

export function propagationGraph(graph: BipartiteGraph): PropagationGraph {
  const U = graph.users.length;
  const V = graph.communities.length;
  const edgeUser = new Int32Array(graph.edgeCommunity.length);
  for (let u = 0; u < U; u++) edgeUser.fill(u, graph.offsets[u]!, graph.offsets[u + 1]!);
  const du = Float32Array.from({ length: U }, (_, u) => 1 / Math.max(1, graph.offsets[u + 1]! - graph.offsets[u]!));
  const dc = Float32Array.from(graph.communityUsers, (n) => 1 / Math.sqrt(Math.max(1, n)));
  return {
    edgeUser: tf.tensor1d(edgeUser, 'int32'),
    edgeCommunity: tf.tensor1d(graph.edgeCommunity, 'int32'),
    inverseUserDegree: tf.tensor2d(du, [U, 1]),
    inverseSqrtCommunityDegree: tf.tensor2d(dc, [V, 1]),
    users: U,
    communities: V,
  };
}

export function propagate(h: tf.Tensor2D, g: PropagationGraph, steps: number): tf.Tensor2D {
  let out = h;
  let cur = h;
  for (let p = 0; p < steps; p++) {
    const scaled = cur.mul(g.inverseSqrtCommunityDegree);
    const perUser = tf.unsortedSegmentSum(tf.gather(scaled, g.edgeCommunity), g.edgeUser, g.users).mul(g.inverseUserDegree);
    cur = tf.unsortedSegmentSum(tf.gather(perUser, g.edgeUser), g.edgeCommunity, g.communities).mul(g.inverseSqrtCommunityDegree) as tf.Tensor2D;
    out = out.add(cur);
  }
  return out;
}

export function disposePropagationGraph(g: PropagationGraph): void {
  [g.edgeUser, g.edgeCommunity, g.inverseUserDegree, g.inverseSqrtCommunityDegree].forEach((t) => t.dispose());
}

import { commentFraction, edgeWeight, EDGE_WEIGHT_EPSILON } from './edge-features.ts';

/** One community of one user, by index into the model's community table (unknown ones get indices ≥ V). */
export interface NeighbourEntry {
  index: number;
  posts: number;
  comments: number;
}

/**
 * Users' neighbourhoods laid out densely as [batch, width] so attention runs with dense ops only
 * (matMul, add, masked softmax): TensorFlow.js' wasm backend and onnxruntime-web's WebGPU provider both
 * lack scatter-style message passing. Padding slots have id 0, zero edge features and mask 0.
 */
export interface PaddedNeighbourhood {
  batch: number;
  width: number;
  ids: Int32Array;
  /** [batch, width, 2]: scaled edge weight w_us, comment fraction f_us. */
  edges: Float32Array;
  /** [batch, width]: 1 for a real community, 0 for padding. */
  mask: Float32Array;
  /** [batch][slot] → position in the caller's list (lists longer than maxWidth keep their most active entries). */
  positions: number[][];
}

export interface NeighbourhoodOptions {
  /** c_s for a community index (for unknown communities the caller decides, e.g. a small default). */
  communityActivity: (index: number) => number;
  /** Upper bound on slots per user; longer lists keep their top entries by activity. */
  maxWidth: number;
  /** Fixed width (e.g. for a model exported with static shapes); defaults to the longest list in the batch. */
  width?: number;
  /** Multiplies w_us so its training mean is about 1 (raw weights are ~1e-3 and would train slowly). */
  edgeScale: number;
  epsilon?: number;
}

/** Keeps at most `max` entries, the most active first among ties by original order; returns positions. */
export function topByActivity(list: readonly NeighbourEntry[], max: number): number[] {
  const order = list.map((_, i) => i);
  if (list.length <= max) return order;
  order.sort((a, b) => list[b]!.posts + list[b]!.comments - (list[a]!.posts + list[a]!.comments) || a - b);
  return order.slice(0, max).sort((a, b) => a - b);
}

export function buildPaddedNeighbourhood(lists: readonly (readonly NeighbourEntry[])[], options: NeighbourhoodOptions): PaddedNeighbourhood {
  const positions = lists.map((list) => topByActivity(list, options.maxWidth));
  const width = options.width ?? Math.max(1, ...positions.map((p) => p.length));
  const batch = lists.length;
  const ids = new Int32Array(batch * width);
  const edges = new Float32Array(batch * width * 2);
  const mask = new Float32Array(batch * width);
  const epsilon = options.epsilon ?? EDGE_WEIGHT_EPSILON;
  lists.forEach((list, b) => {
    // c_u is the user's whole activity, also over entries cut by maxWidth: it describes the user.
    let userActivity = 0;
    for (const e of list) userActivity += e.posts + e.comments;
    positions[b]!.slice(0, width).forEach((pos, k) => {
      const entry = list[pos]!;
      const slot = b * width + k;
      ids[slot] = entry.index;
      const t = entry.posts + entry.comments;
      edges[slot * 2] = edgeWeight(t, userActivity, options.communityActivity(entry.index), epsilon) * options.edgeScale;
      edges[slot * 2 + 1] = commentFraction(entry.posts, entry.comments);
      mask[slot] = 1;
    });
    if (positions[b]!.length > width) positions[b] = positions[b]!.slice(0, width);
  });
  return { batch, width, ids, edges, mask, positions };
}

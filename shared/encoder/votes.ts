import { cosineRows, type TrainEdges } from './baselines.ts';

/**
 * Co-membership votes: a learned item–item term of the match score. Every vocabulary community s keeps
 * its k nearest co-member communities (by the shrunk cosine over the training users, the same similarity
 * as the `cosine` baseline) and one learned weight per pair; a user's input communities each vote for
 * their neighbours, so
 *   score(u, c) = cos(z_u, z_c) + prior_c + Σ_{s ∈ input(u)} w[s → c].
 * The weights start at the shrunk cosine (logit units) and are trained with the rest of the model (same InfoNCE, full
 * softmax), EASE-like: the model learns which co-memberships predict a community and by how much, while
 * the GATv2 user vector carries what pairs cannot. Stored in `community-votes.bin` in score units (the
 * trainer's logit weights × temperature, like the prior).
 */
export interface CommunityVotes {
  /** Neighbours per community. */
  k: number;
  /** [V × k] neighbour rows, −1 where a community has fewer than k co-members. */
  neighbours: Int32Array;
  /** [V × k] weight of each (community, neighbour) vote. */
  weights: Float32Array;
}

/** Each community's k most cosine-similar co-members (ties by lower row), with their similarities. */
export function voteNeighbours(V: number, edges: TrainEdges, k: number): { neighbours: Int32Array; similarity: Float32Array } {
  const { row } = cosineRows(V, edges);
  const neighbours = new Int32Array(V * k).fill(-1);
  const similarity = new Float32Array(V * k);
  const js: number[] = [];
  const sims: number[] = [];
  for (let i = 0; i < V; i++) {
    js.length = 0;
    sims.length = 0;
    row(i, (j, sim) => (js.push(j), sims.push(sim)));
    const order = js.map((_, n) => n).sort((a, b) => sims[b]! - sims[a]! || js[a]! - js[b]!);
    order.slice(0, k).forEach((n, slot) => {
      neighbours[i * k + slot] = js[n]!;
      similarity[i * k + slot] = sims[n]!;
    });
  }
  return { neighbours, similarity };
}

/** Adds the votes of the input rows (vocabulary communities; each counted once) to scores [V]. */
export function addVotes(scores: Float32Array, rows: Iterable<number>, votes: CommunityVotes): void {
  const { k, neighbours, weights } = votes;
  for (const s of new Set(rows)) {
    for (let slot = s * k; slot < (s + 1) * k; slot++) {
      const c = neighbours[slot]!;
      if (c >= 0) scores[c]! += weights[slot]!;
    }
  }
}

/** community-votes.bin, little-endian: int32 V, int32 k, int32 neighbours[V·k], float32 weights[V·k]. */
export function encodeVotes(votes: CommunityVotes): Uint8Array {
  const n = votes.neighbours.length;
  const buf = new ArrayBuffer(8 + 8 * n);
  const head = new Int32Array(buf, 0, 2);
  head[0] = n / votes.k;
  head[1] = votes.k;
  new Int32Array(buf, 8, n).set(votes.neighbours);
  new Float32Array(buf, 8 + 4 * n, n).set(votes.weights);
  return new Uint8Array(buf);
}

export function decodeVotes(bytes: Uint8Array, communities: number): CommunityVotes {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (buf.byteLength < 8) throw new Error('community-votes.bin is truncated');
  const [V, k] = new Int32Array(buf, 0, 2) as unknown as [number, number];
  if (V !== communities || k <= 0 || buf.byteLength !== 8 + 8 * V * k) {
    throw new Error(`community-votes.bin does not fit this vocabulary (${V} × ${k} votes for ${communities} communities); keep the files of one training run together`);
  }
  return { k, neighbours: new Int32Array(buf, 8, V * k), weights: new Float32Array(buf, 8 + 4 * V * k, V * k) };
}

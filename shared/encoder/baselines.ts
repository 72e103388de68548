import type { CommunityActivity } from '../schemas/community.ts';
import { createRng } from './random.ts';
import type { Vocabulary } from './vocabulary.ts';

/**
 * Non-learned rankers the encoder is compared against in `zipp encoder eval`.
 *
 * - popularity: a community's number of training users (same ranking for everyone).
 * - tfidf: the paper's statistical baseline, used for retrieval as a user-based nearest-neighbour
 *   ranker. Every user is a TF-IDF vector over their communities (tf = share of the user's activity,
 *   idf = ln((1+N)/(1+df)) + 1 over the N training users); the query user's 100 most cosine-similar training
 *   users vote for their communities with their similarity. A popularity term too small to matter except
 *   between communities with no vote at all breaks ties.
 * - cosine: item–item cosine over the training users' community sets, shrunk toward 0 for rarely
 *   co-joined pairs — sim(i, j) = C_ij / (√(n_i n_j) + COSINE_SHRINK), C_ij = users in both, n_i = users
 *   of i — and a candidate scores the sum of its similarities to the user's input communities. The
 *   classic co-occurrence heuristic a learned encoder has to beat on dense graphs.
 * - random: seeded uniform scores.
 */
export type Scorer = (input: readonly CommunityActivity[]) => Float32Array;

export function popularityScorer(vocabulary: Vocabulary): Scorer {
  const scores = Float32Array.from({ length: vocabulary.size }, (_, i) => vocabulary.users(i));
  return () => scores;
}

export function randomScorer(vocabulary: Vocabulary, seed: number): Scorer {
  const rng = createRng(seed);
  return () => Float32Array.from({ length: vocabulary.size }, () => rng.next());
}

/** Training edges as parallel arrays (user id, vocabulary row, activity t_us), e.g. from train-edges.bin. */
export interface TrainEdges {
  users: Int32Array;
  communities: Int32Array;
  activity: Float32Array;
}

export const TFIDF_NEIGHBOURS = 100;

export function tfidfScorer(vocabulary: Vocabulary, edges: TrainEdges, neighbours = TFIDF_NEIGHBOURS): Scorer {
  const V = vocabulary.size;
  const userIds = [...new Set(edges.users)].sort((a, b) => a - b);
  const userRow = new Map(userIds.map((u, i) => [u, i]));
  const N = userIds.length;
  const df = new Float64Array(V);
  const total = new Float64Array(N);
  for (let e = 0; e < edges.users.length; e++) {
    df[edges.communities[e]!]! += 1;
    total[userRow.get(edges.users[e]!)!]! += edges.activity[e]!;
  }
  const idf = Float64Array.from(df, (d) => Math.log((1 + N) / (1 + d)) + 1);
  // Postings per community: (training user row, tf-idf weight / ‖user‖).
  const postings = Array.from({ length: V }, () => [] as [number, number][]);
  const norm = new Float64Array(N);
  for (let e = 0; e < edges.users.length; e++) {
    const r = userRow.get(edges.users[e]!)!;
    const w = (edges.activity[e]! / (total[r]! || 1)) * idf[edges.communities[e]!]!;
    norm[r]! += w * w;
  }
  for (let e = 0; e < edges.users.length; e++) {
    const r = userRow.get(edges.users[e]!)!;
    const c = edges.communities[e]!;
    const w = (edges.activity[e]! / (total[r]! || 1)) * idf[c]!;
    postings[c]!.push([r, w / (Math.sqrt(norm[r]!) || 1)]);
  }
  const communitiesOf = Array.from({ length: N }, () => [] as number[]);
  for (let e = 0; e < edges.users.length; e++) communitiesOf[userRow.get(edges.users[e]!)!]!.push(edges.communities[e]!);
  const maxDf = df.reduce((m, d) => Math.max(m, d), 1);
  const tieBreak = Float64Array.from(df, (d) => (1e-6 * d) / maxDf);

  return (input) => {
    const activity = input.reduce((s, a) => s + a.posts + a.comments, 0) || 1;
    const query: [number, number][] = [];
    let qNorm = 0;
    for (const a of input) {
      const row = vocabulary.lookup(a.name);
      if (row === undefined) continue;
      const w = ((a.posts + a.comments) / activity) * idf[row]!;
      query.push([row, w]);
      qNorm += w * w;
    }
    qNorm = Math.sqrt(qNorm) || 1;
    const sims = new Map<number, number>();
    for (const [c, w] of query) for (const [r, vw] of postings[c]!) sims.set(r, (sims.get(r) ?? 0) + (w / qNorm) * vw);
    const nearest = [...sims].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, neighbours);
    const scores = Float32Array.from(tieBreak);
    for (const [r, sim] of nearest) for (const c of communitiesOf[r]!) scores[c]! += sim;
    return scores;
  };
}

export const COSINE_SHRINK = 20;

/**
 * Shrunk item–item cosine rows over the training users' community sets (see the top of this file):
 * `row(i, visit)` calls visit(j, sim(i, j)) for every community j ≠ i that shares a user with i. Rows are
 * computed on demand from the postings (users per community, communities per user), so nothing V × V is
 * held in memory. The cosine baseline and the encoder's co-membership votes (votes.ts) both use it.
 */
export function cosineRows(V: number, edges: TrainEdges, shrink = COSINE_SHRINK): { users: Int32Array; row: (i: number, visit: (j: number, sim: number) => void) => void } {
  const { members, communitiesOf, users } = postingLists(V, edges);
  const sqrtUsers = Float64Array.from(users, Math.sqrt);
  const together = new Int32Array(V);
  return {
    users,
    row(i, visit) {
      const touched: number[] = [];
      for (const u of members[i]!) for (const j of communitiesOf[u]!) if (together[j]!++ === 0) touched.push(j);
      for (const j of touched) {
        if (j !== i) visit(j, together[j]! / (sqrtUsers[i]! * sqrtUsers[j]! + shrink));
        together[j] = 0;
      }
    },
  };
}

/** The cosine baseline: a candidate scores the sum of its similarities to the user's input communities. */
export function cosineScorer(vocabulary: Vocabulary, edges: TrainEdges, shrink = COSINE_SHRINK): Scorer {
  const { users, row } = cosineRows(vocabulary.size, edges, shrink);
  const maxUsers = users.reduce((m, d) => Math.max(m, d), 1);
  // Same tie-break as tfidf: popularity, too small to matter except between candidates with no similarity.
  const tieBreak = Float64Array.from(users, (d) => (1e-6 * d) / maxUsers);
  return (input) => {
    const scores = Float64Array.from(tieBreak);
    const seen = new Set<number>();
    for (const a of input) {
      const i = vocabulary.lookup(a.name);
      if (i === undefined || seen.has(i)) continue;
      seen.add(i);
      row(i, (j, sim) => (scores[j]! += sim));
    }
    return Float32Array.from(scores);
  };
}

/** Per community the training users (rows), per user the communities, and per community its user count. */
function postingLists(V: number, edges: TrainEdges): { members: number[][]; communitiesOf: number[][]; users: Int32Array } {
  const userIds = [...new Set(edges.users)].sort((a, b) => a - b);
  const userRow = new Map(userIds.map((u, i) => [u, i]));
  const members = Array.from({ length: V }, () => [] as number[]);
  const communitiesOf = Array.from({ length: userIds.length }, () => [] as number[]);
  const users = new Int32Array(V);
  for (let e = 0; e < edges.users.length; e++) {
    const r = userRow.get(edges.users[e]!)!;
    const c = edges.communities[e]!;
    members[c]!.push(r);
    communitiesOf[r]!.push(c);
    users[c]!++;
  }
  return { members, communitiesOf, users };
}

/** train-edges.bin, little-endian: int32 n, int32 users[n], int32 communities[n], float32 activity[n]. */
export function encodeTrainEdges(edges: TrainEdges): Uint8Array {
  const n = edges.users.length;
  const buf = new ArrayBuffer(4 * (1 + 3 * n));
  const ints = new Int32Array(buf, 0, 1 + 2 * n);
  ints[0] = n;
  ints.set(edges.users, 1);
  ints.set(edges.communities, 1 + n);
  new Float32Array(buf, 4 * (1 + 2 * n), n).set(edges.activity);
  return new Uint8Array(buf);
}

export function decodeTrainEdges(bytes: Uint8Array): TrainEdges {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const n = buf.byteLength >= 4 ? new Int32Array(buf, 0, 1)[0]! : -1;
  if (n < 0 || buf.byteLength !== 4 * (1 + 3 * n)) throw new Error('train-edges.bin is truncated or not a ZIPP train-edges file');
  return {
    users: new Int32Array(buf, 4, n).slice(),
    communities: new Int32Array(buf, 4 * (1 + n), n).slice(),
    activity: new Float32Array(buf, 4 * (1 + 2 * n), n).slice(),
  };
}

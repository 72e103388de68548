import type { CommunityActivity } from '../schemas/community.ts';
import { createRng } from './random.ts';
import type { Vocabulary } from './vocabulary.ts';

/**
 * Non-learned rankers the encoder is compared against in `zipp encoder eval`.
 *
 * - popularity: a community's number of training users (same ranking for everyone).
 * - tfidf: the statistical baseline of the paper, as retrieval. A user is a TF-IDF vector over their
 *   communities (tf = activity share, idf = ln((1+N)/(1+df)) + 1 over training users); a candidate community
 *   is the TF-IDF vector of the communities its training users also joined (co-occurrence counts × idf).
 *   Score = cosine of the two, plus a popularity term too small to matter except between communities
 *   with no co-occurrence at all (which would otherwise all tie at 0).
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

/** Training edges as parallel arrays (user id, vocabulary row), e.g. from train-edges.bin. */
export interface TrainEdges {
  users: Int32Array;
  communities: Int32Array;
}

export function tfidfScorer(vocabulary: Vocabulary, edges: TrainEdges): Scorer {
  const V = vocabulary.size;
  // Group communities by user.
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < edges.users.length; i++) {
    const u = edges.users[i]!;
    let list = byUser.get(u);
    if (!list) byUser.set(u, (list = []));
    list.push(edges.communities[i]!);
  }
  const df = new Float64Array(V);
  for (const list of byUser.values()) for (const c of new Set(list)) df[c]! += 1;
  const N = byUser.size;
  const idf = Float64Array.from(df, (d) => Math.log((1 + N) / (1 + d)) + 1);
  // Co-occurrence: cooc[s][s'] = training users in both s and s' (s ≠ s'), stored per s' as (s, count).
  const cooc = Array.from({ length: V }, () => new Map<number, number>());
  for (const list of byUser.values()) {
    const uniq = [...new Set(list)];
    for (const a of uniq) for (const b of uniq) if (a !== b) cooc[b]!.set(a, (cooc[b]!.get(a) ?? 0) + 1);
  }
  // ‖d_s‖ with d_s[s'] = cooc[s][s'] · idf(s').
  const norm = new Float64Array(V);
  for (let b = 0; b < V; b++) for (const [a, n] of cooc[b]!) norm[a]! += (n * idf[b]!) ** 2;
  for (let a = 0; a < V; a++) norm[a] = Math.sqrt(norm[a]!);
  const maxDf = df.reduce((m, d) => Math.max(m, d), 1);
  const tieBreak = Float64Array.from(df, (d) => (1e-6 * d) / maxDf);

  return (input) => {
    const scores = new Float32Array(V);
    const total = input.reduce((s, a) => s + a.posts + a.comments, 0) || 1;
    let qNorm = 0;
    const q: [number, number][] = [];
    for (const a of input) {
      const row = vocabulary.lookup(a.name);
      if (row === undefined) continue;
      const w = ((a.posts + a.comments) / total) * idf[row]!;
      q.push([row, w]);
      qNorm += w * w;
    }
    qNorm = Math.sqrt(qNorm) || 1;
    for (const [b, w] of q) for (const [a, n] of cooc[b]!) scores[a]! += w * n * idf[b]!;
    for (let a = 0; a < V; a++) scores[a] = (norm[a]! > 0 ? scores[a]! / (norm[a]! * qNorm) : 0) + tieBreak[a]!;
    return scores;
  };
}

/** train-edges.bin: int32 little-endian [n, users × n, communities × n]. */
export function encodeTrainEdges(edges: TrainEdges): Uint8Array {
  const n = edges.users.length;
  const out = new Int32Array(1 + 2 * n);
  out[0] = n;
  out.set(edges.users, 1);
  out.set(edges.communities, 1 + n);
  return new Uint8Array(out.buffer);
}

export function decodeTrainEdges(bytes: Uint8Array): TrainEdges {
  const all = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const n = all[0] ?? -1;
  if (n < 0 || all.length !== 1 + 2 * n) throw new Error('train-edges.bin is truncated or not a ZIPP train-edges file');
  return { users: all.slice(1, 1 + n), communities: all.slice(1 + n) };
}

import { describe, expect, it } from 'vitest';
import { cosineScorer, COSINE_SHRINK, popularityScorer, randomScorer, tfidfScorer, decodeTrainEdges, encodeTrainEdges } from '../../shared/encoder/baselines.ts';
import { leaveOneOutCases, MetricAccumulator } from '../../shared/encoder/evaluation.ts';
import { MANIFEST_FORMAT, vocabularyHash, type EncoderManifest } from '../../shared/encoder/manifest.ts';
import { createRng } from '../../shared/encoder/random.ts';
import { rankOf, scoreAll, topK } from '../../shared/encoder/ranking.ts';
import { Vocabulary } from '../../shared/encoder/vocabulary.ts';

function vocabulary(names: string[], users: number[]): Vocabulary {
  const manifest: EncoderManifest = {
    format: MANIFEST_FORMAT,
    architecture: { hidden: 4, heads: 2, layers: 1, featureDim: 8, maxNeighbours: 10 },
    edges: { edgeScale: 1, epsilon: 1, unknownCommunityActivity: 1 },
    embedder: { kind: 'openai', model: 'x', dimension: 8 },
    communities: { names, labels: names, activity: users, users, prior: names.map(() => 0) },
    communityEmbeddings: { dtype: 'float32', dimension: 4 },
    vocabularyHash: vocabularyHash(names),
    training: {},
  };
  return new Vocabulary(manifest);
}

describe('ranking', () => {
  it('keeps the k best in order, skipping excluded rows, lower index first on ties', () => {
    const scores = [0.1, 0.9, 0.5, 0.9, 0.3];
    expect(topK(scores, 3)).toEqual([1, 3, 2]);
    expect(topK(scores, 2, new Set([1]))).toEqual([3, 2]);
    expect(topK(scores, 10)).toEqual([1, 3, 2, 4, 0]);
  });

  it('ranks 1-based, ignoring excluded rows, ties counting half', () => {
    expect(rankOf([0.1, 0.9, 0.5], 2)).toBe(2);
    expect(rankOf([0.1, 0.9, 0.5], 2, new Set([1]))).toBe(1);
    expect(rankOf([0.5, 0.5, 0.5, 0.5, 0.5], 0)).toBe(3);
  });

  it('scores a user against every table row', () => {
    expect(Array.from(scoreAll(Float32Array.of(1, 0), Float32Array.of(1, 0, 0, 1, 0.6, 0.8), 2))).toEqual([1, 0, 0.6000000238418579]);
  });
});

describe('leave-one-out evaluation', () => {
  const vocab = vocabulary(['a', 'b', 'c', 'd', 'e'], [5, 4, 3, 2, 1]);
  const users = new Map([
    ['u1', [{ name: 'a', posts: 0, comments: 1 }, { name: 'b', posts: 0, comments: 1 }, { name: 'zzz', posts: 0, comments: 1 }]],
    ['u2', [{ name: 'a', posts: 0, comments: 1 }, { name: 'b', posts: 0, comments: 1 }]],
    ['u3', [{ name: 'a', posts: 0, comments: 1 }, { name: 'x', posts: 0, comments: 1 }, { name: 'y', posts: 0, comments: 1 }]],
    ['u4', [{ name: 'c', posts: 0, comments: 1 }, { name: 'd', posts: 0, comments: 1 }, { name: 'e', posts: 0, comments: 1 }]],
  ]);

  it('keeps users with ≥ 3 communities, 2 of them known; hides a known one, seeded', () => {
    const cases = leaveOneOutCases(users, vocab, 1);
    expect(cases.map((c) => c.user)).toEqual(['u1', 'u4']);
    expect(leaveOneOutCases(users, vocab, 1)).toEqual(cases);
    for (const c of cases) {
      expect(c.input).toHaveLength(2);
      expect(c.exclude.has(c.hidden)).toBe(false);
      expect(c.exclude.size).toBe(c.input.filter((a) => vocab.lookup(a.name) !== undefined).length);
      expect(users.get(c.user)!.some((a) => vocab.lookup(a.name) === c.negative)).toBe(false);
    }
  });

  it('computes hit@k, MRR and posting accuracy', () => {
    const acc = new MetricAccumulator();
    const base = { user: 'x', input: [], exclude: new Set<number>() };
    acc.add([0.9, 0.1, 0.5], { ...base, hidden: 0, negative: 1 });
    acc.add([0.9, 0.1, 0.5], { ...base, hidden: 2, negative: 1 });
    acc.add([0.9, 0.1, 0.5], { ...base, hidden: 1, negative: 2 });
    const m = acc.result();
    expect(m['hit@1']).toBeCloseTo(1 / 3, 10);
    expect(m['hit@10']).toBe(1);
    expect(m.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 10);
    expect(m.posting_accuracy).toBeCloseTo(2 / 3, 10);
  });
});

describe('baselines', () => {
  const vocab = vocabulary(['a', 'b', 'c', 'd'], [3, 2, 2, 1]);
  // Training users: 0 {a,b}, 1 {a,b}, 2 {a,c}, 3 {c,d}
  const edges = { users: Int32Array.of(0, 0, 1, 1, 2, 2, 3, 3), communities: Int32Array.of(0, 1, 0, 1, 0, 2, 2, 3), activity: Float32Array.of(1, 1, 1, 1, 1, 1, 1, 1) };

  it('popularity ranks by training users for everyone', () => {
    expect(Array.from(popularityScorer(vocab)([]))).toEqual([3, 2, 2, 1]);
  });

  it('tfidf votes with the most similar training users', () => {
    const scores = tfidfScorer(vocab, edges)([{ name: 'd', posts: 0, comments: 1 }]);
    // Only user 3 shares "d"; it votes for c (and d). a and b only get the tiny popularity tie-break.
    expect(topK(scores, 1, new Set([3]))).toEqual([2]);
    expect(scores[2]!).toBeGreaterThan(scores[0]! + 0.1);
    const fromB = tfidfScorer(vocab, edges)([{ name: 'b', posts: 0, comments: 1 }]);
    expect(topK(fromB, 1, new Set([1]))).toEqual([0]);
  });

  it('cosine sums shrunk item–item similarities over the input communities', () => {
    const one = (name: string) => ({ name, posts: 0, comments: 1 });
    // From {b}: only a is co-joined with b (users 0 and 1): C_ab = 2, n_a = 3, n_b = 2.
    const fromB = cosineScorer(vocab, edges)([one('b')]);
    expect(fromB[0]!).toBeCloseTo(2 / (Math.sqrt(3 * 2) + COSINE_SHRINK), 5);
    expect(topK(fromB, 1, new Set([1]))).toEqual([0]);
    // From {a, d}: b gets 2 / (√6 + 20) from a; c gets 1 / (√6 + 20) from a plus 1 / (√2 + 20) from d and wins.
    const fromAD = cosineScorer(vocab, edges)([one('a'), one('d')]);
    expect(fromAD[2]!).toBeCloseTo(1 / (Math.sqrt(6) + 20) + 1 / (Math.sqrt(2) + 20), 5);
    expect(topK(fromAD, 2, new Set([0, 3]))).toEqual([2, 1]);
    // A community never co-joins itself, and unknown names add nothing.
    expect(cosineScorer(vocab, edges)([one('d'), one('zzz')])[3]!).toBeLessThan(1e-5);
  });

  it('random is seeded', () => {
    expect(Array.from(randomScorer(vocab, 3)([]))).toEqual(Array.from(randomScorer(vocab, 3)([])));
  });

  it('train-edges.bin round-trips and rejects a truncated file', () => {
    const bytes = encodeTrainEdges(edges);
    const back = decodeTrainEdges(bytes);
    expect(Array.from(back.communities)).toEqual(Array.from(edges.communities));
    expect(Array.from(back.activity)).toEqual(Array.from(edges.activity));
    expect(() => decodeTrainEdges(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });
});

describe('seeded PRNG', () => {
  it('repeats per seed, differs across seeds, and resumes from a saved state', () => {
    const a = createRng(42);
    const b = createRng(42);
    expect([a.next(), a.int(100), a.normal()]).toEqual([b.next(), b.int(100), b.normal()]);
    expect(createRng(43).next()).not.toBe(createRng(42).next());
    const saved = a.state();
    const expected = [a.next(), a.next()];
    const resumed = createRng(saved);
    expect([resumed.next(), resumed.next()]).toEqual(expected);
  });

  it('draws normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = createRng(1);
    const xs = Array.from({ length: 20_000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

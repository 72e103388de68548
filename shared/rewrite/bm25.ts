import { contentTerms } from './terms.ts';

/**
 * Okapi BM25 over short texts (a user's earlier prompts), the default ranking of the `retrieval` method.
 * Terms are content words with plurals folded (terms.ts). IDF is the non-negative variant
 * ln(1 + (N − df + 0.5) / (df + 0.5)), so a word in every prompt still counts a little and never negatively.
 */
export interface Bm25Options {
  /** Term-frequency saturation. */
  k1?: number;
  /** Length normalisation (0 = none, 1 = full). */
  b?: number;
}

export interface Ranked {
  index: number;
  score: number;
}

export function bm25Scores(query: string, docs: readonly string[], options: Bm25Options = {}): number[] {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const docTerms = docs.map(contentTerms);
  const n = docs.length;
  const avgLen = docTerms.reduce((s, t) => s + t.length, 0) / Math.max(1, n) || 1;
  const df = new Map<string, number>();
  for (const terms of docTerms) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const queryTerms = [...new Set(contentTerms(query))];
  return docTerms.map((terms) => {
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const q of queryTerms) {
      const f = tf.get(q);
      if (!f) continue;
      const d = df.get(q)!;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * terms.length) / avgLen));
    }
    return score;
  });
}

/**
 * Indexes ordered by score, best first; equal scores favour the later (more recent) text. Only texts that
 * share at least one term with the query are returned.
 */
export function bm25Rank(query: string, docs: readonly string[], options: Bm25Options = {}): Ranked[] {
  return rankScores(bm25Scores(query, docs, options)).filter((r) => r.score > 0);
}

/** Indexes ordered by score, best first, later index first on ties. */
export function rankScores(scores: readonly number[]): Ranked[] {
  return scores.map((score, index) => ({ index, score })).sort((x, y) => y.score - x.score || y.index - x.index);
}

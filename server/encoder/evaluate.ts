import { cosineScorer, popularityScorer, randomScorer, tfidfScorer, type Scorer } from '../../shared/encoder/baselines.ts';
import { EVIDENCE_COMMUNITIES, MeanOf, normalizedEntropy, spearman, topIndices } from '../../shared/encoder/attention-metrics.ts';
import type { EncodedUser } from '../../shared/encoder/encoder.ts';
import { leaveOneOutCases, MetricAccumulator, type LeaveOneOutCase, type RankingMetrics } from '../../shared/encoder/evaluation.ts';
import { pairedDifference } from '../../shared/encoder/paired.ts';
import { BASELINES, PAIRED_BASELINES, type AttentionReport, type BaselineName, type EvaluationReport, type SuggestionReport } from '../../shared/encoder/evaluation-report.ts';
import { createRng } from '../../shared/encoder/random.ts';
import { rankOf, topK } from '../../shared/encoder/ranking.ts';
import type { CommunityActivity } from '../../shared/schemas/community.ts';
import { listsByUser } from '../../models/encoder/dataset.ts';
import { ingest } from './ingest/index.ts';
import { loadEncoder, loadTrainEdges } from './load.ts';

/**
 * `zipp encoder eval`: leave-one-out ranking on users the model never saw, for the encoder and the
 * popularity / cosine / tfidf / random baselines, all on the same cases (the same hidden community per
 * user for every method, so differences are paired; see shared/encoder/evaluation.ts), plus what the
 * attention says about a user (shared/encoder/attention-metrics.ts) and how "communities like yours"
 * differ from the global front page. The report's shape and text forms: shared/encoder/evaluation-report.ts.
 */
export const EVAL_SEED = 7;
const TOP_POPULAR = 50;

export async function evaluateModel(
  modelDir: string,
  users: ReadonlyMap<string, readonly CommunityActivity[]>,
  options: { seed?: number; batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<EvaluationReport> {
  const seed = options.seed ?? EVAL_SEED;
  const encoder = await loadEncoder(modelDir);
  try {
    const vocabulary = encoder.vocabulary;
    const cases = leaveOneOutCases(users, vocabulary, seed);
    const edges = loadTrainEdges(modelDir);
    const scorers: Record<BaselineName, Scorer> = {
      popularity: popularityScorer(vocabulary),
      tfidf: tfidfScorer(vocabulary, edges),
      random: randomScorer(vocabulary, seed + 1),
      cosine: cosineScorer(vocabulary, edges),
    };
    const acc = { encoder: new MetricAccumulator(), ...(Object.fromEntries(BASELINES.map((b) => [b, new MetricAccumulator()])) as Record<BaselineName, MetricAccumulator>) };
    // Per-case ranks of every method, for the paired comparisons.
    const ranks = { encoder: [] as number[], ...(Object.fromEntries(BASELINES.map((b) => [b, [] as number[]])) as Record<BaselineName, number[]>) };
    const attention = new AttentionMeasures(vocabulary.size, (i) => vocabulary.users(i), scorers.cosine, seed + 2);
    const suggestions = new SuggestionMeasures(topK(scorers.popularity([]), TOP_POPULAR));
    const batchSize = options.batchSize ?? 256;
    for (let i = 0; i < cases.length; i += batchSize) {
      const chunk = cases.slice(i, i + batchSize);
      const encoded = await encoder.encode(chunk.map((c) => c.input));
      chunk.forEach((c, j) => {
        const user = encoded[j]!;
        ranks.encoder.push(acc.encoder.add(encoder.scores(user), c));
        for (const b of BASELINES) ranks[b].push(acc[b].add(scorers[b](c.input), c));
        attention.add(user, c, (name) => vocabulary.lookup(name));
        suggestions.add(encoder.suggestionScores(user.embedding), c);
      });
      options.onProgress?.(Math.min(cases.length, i + batchSize), cases.length);
    }
    const rr = (r: number[]) => r.map((x) => 1 / x);
    const hit10 = (r: number[]) => r.map((x) => +(x <= 10));
    return {
      users: cases.length,
      encoder: acc.encoder.result(),
      baselines: Object.fromEntries(BASELINES.map((b) => [b, acc[b].result()])) as Record<BaselineName, RankingMetrics>,
      paired: Object.fromEntries(
        PAIRED_BASELINES.map((b) => [b, { mrr: pairedDifference(rr(ranks.encoder), rr(ranks[b]), seed), 'hit@10': pairedDifference(hit10(ranks.encoder), hit10(ranks[b]), seed) }]),
      ) as EvaluationReport['paired'],
      attention: attention.result(),
      suggestions: suggestions.result(),
    };
  } finally {
    await encoder.release();
  }
}

/** Accumulates the attention measures of AttentionReport over encoded held-out users. */
class AttentionMeasures {
  private readonly evidence = { attention: new MetricAccumulator(), activity: new MetricAccumulator(), random: new MetricAccumulator() };
  private readonly spearman = new MeanOf();
  private readonly entropy = new MeanOf();
  private readonly rng;

  constructor(
    readonly vocabularySize: number,
    private readonly users: (row: number) => number,
    private readonly cosine: Scorer,
    seed: number,
  ) {
    this.rng = createRng(seed);
  }

  add(user: EncodedUser, c: LeaveOneOutCase, lookup: (name: string) => number | undefined): void {
    this.entropy.add(normalizedEntropy(user.communities.map((a) => a.importance)));
    const known = user.communities.filter((a) => a.known);
    if (known.length >= 3) {
      this.spearman.add(spearman(known.map((a) => a.importance), known.map((a) => Math.log(this.users(lookup(a.name)!)))));
    }
    if (known.length <= EVIDENCE_COMMUNITIES) return; // every choice of 3 would be the same
    const pick = (idx: number[]) => idx.map((i) => known[i]!);
    const byAttention = pick(topIndices(known.map((a) => a.importance), EVIDENCE_COMMUNITIES));
    const byActivity = pick(topIndices(known.map((a) => a.posts + a.comments), EVIDENCE_COMMUNITIES));
    const byChance = pick(this.rng.shuffle(known.map((_, i) => i)).slice(0, EVIDENCE_COMMUNITIES));
    // Rank against the same candidates as the full case (the user's other communities stay excluded).
    this.evidence.attention.add(this.cosine(byAttention), c);
    this.evidence.activity.add(this.cosine(byActivity), c);
    this.evidence.random.add(this.cosine(byChance), c);
  }

  result(): AttentionReport {
    return {
      evidence: { attention: this.evidence.attention.result().mrr, activity: this.evidence.activity.result().mrr, random: this.evidence.random.result().mrr },
      popularitySpearman: this.spearman.mean,
      entropy: this.entropy.mean,
      users: { evidence: this.evidence.attention.count, popularitySpearman: this.spearman.count, entropy: this.entropy.count },
    };
  }
}

/** Accumulates SuggestionReport: hit@10 of the suggestions and their overlap with the most popular communities. */
class SuggestionMeasures {
  private readonly popular: Set<number>;
  private hits = 0;
  private overlap50 = 0;
  private shown = 0;
  private n = 0;

  constructor(popular: number[]) {
    this.popular = new Set(popular);
  }

  add(scores: Float32Array, c: LeaveOneOutCase): void {
    const top = topK(scores, TOP_POPULAR, c.exclude);
    this.n++;
    if (rankOf(scores, c.hidden, c.exclude) <= 10) this.hits++;
    this.overlap50 += top.filter((i) => this.popular.has(i)).length / TOP_POPULAR;
    this.shown += top.slice(0, 10).filter((i) => this.popular.has(i)).length / 10;
  }

  result(): SuggestionReport {
    const d = Math.max(1, this.n);
    return { 'hit@10': this.hits / d, top50Overlap: this.overlap50 / d, shownInTop50: this.shown / d };
  }
}

/** Reads an interactions file (any ingest format; bots dropped, nothing pruned) as community lists per user. */
export async function readUserLists(file: string, options: { maxErrorRate?: number } = {}): Promise<Map<string, CommunityActivity[]>> {
  const { interactions } = await ingest({ inputs: [file], keepNsfw: true, ...(options.maxErrorRate !== undefined ? { maxErrorRate: options.maxErrorRate } : {}) });
  return listsByUser(interactions);
}

import { popularityScorer, randomScorer, tfidfScorer, type Scorer } from '../../shared/encoder/baselines.ts';
import { leaveOneOutCases, MetricAccumulator, type RankingMetrics } from '../../shared/encoder/evaluation.ts';
import { formatPaired, pairedDifference, type PairedDifference } from '../../shared/encoder/paired.ts';
import type { CommunityActivity } from '../../shared/schemas/community.ts';
import { listsByUser } from '../../models/encoder/dataset.ts';
import { ingest } from './ingest/index.ts';
import { loadEncoder, loadTrainEdges } from './load.ts';

/**
 * `zipp encoder eval`: leave-one-out ranking on users the model never saw, for the encoder and the
 * popularity / tfidf / random baselines, all on the same cases (see shared/encoder/evaluation.ts).
 */
export interface EvaluationReport {
  users: number;
  encoder: RankingMetrics;
  baselines: { popularity: RankingMetrics; tfidf: RankingMetrics; random: RankingMetrics };
  /** Encoder minus popularity on the same cases, with a bootstrap interval and a sign test (shared/encoder/paired.ts). */
  versusPopularity: { mrr: PairedDifference; 'hit@10': PairedDifference };
}

export const EVAL_SEED = 7;

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
    const baselines: Record<'popularity' | 'tfidf' | 'random', Scorer> = {
      popularity: popularityScorer(vocabulary),
      tfidf: tfidfScorer(vocabulary, loadTrainEdges(modelDir)),
      random: randomScorer(vocabulary, seed + 1),
    };
    const acc = { encoder: new MetricAccumulator(), popularity: new MetricAccumulator(), tfidf: new MetricAccumulator(), random: new MetricAccumulator() };
    // Per-case ranks of the encoder and of popularity, for the paired comparison.
    const ranks = { encoder: [] as number[], popularity: [] as number[] };
    const batchSize = options.batchSize ?? 256;
    for (let i = 0; i < cases.length; i += batchSize) {
      const chunk = cases.slice(i, i + batchSize);
      const encoded = await encoder.encode(chunk.map((c) => c.input));
      chunk.forEach((c, j) => {
        ranks.encoder.push(acc.encoder.add(encoder.scores(encoded[j]!.embedding), c));
        ranks.popularity.push(acc.popularity.add(baselines.popularity(c.input), c));
        for (const name of ['tfidf', 'random'] as const) acc[name].add(baselines[name](c.input), c);
      });
      options.onProgress?.(Math.min(cases.length, i + batchSize), cases.length);
    }
    return {
      users: cases.length,
      encoder: acc.encoder.result(),
      baselines: { popularity: acc.popularity.result(), tfidf: acc.tfidf.result(), random: acc.random.result() },
      versusPopularity: {
        mrr: pairedDifference(ranks.encoder.map((r) => 1 / r), ranks.popularity.map((r) => 1 / r), seed),
        'hit@10': pairedDifference(ranks.encoder.map((r) => +(r <= 10)), ranks.popularity.map((r) => +(r <= 10)), seed),
      },
    };
  } finally {
    await encoder.release();
  }
}

/** Reads an interactions file (any ingest format; bots dropped, nothing pruned) as community lists per user. */
export async function readUserLists(file: string, options: { maxErrorRate?: number } = {}): Promise<Map<string, CommunityActivity[]>> {
  const { interactions } = await ingest({ inputs: [file], keepNsfw: true, ...(options.maxErrorRate !== undefined ? { maxErrorRate: options.maxErrorRate } : {}) });
  return listsByUser(interactions);
}

/** The eval table as aligned text. */
export function formatEvaluation(r: EvaluationReport): string {
  const rows: [string, RankingMetrics][] = [
    ['encoder', r.encoder],
    ['popularity', r.baselines.popularity],
    ['tfidf', r.baselines.tfidf],
    ['random', r.baselines.random],
  ];
  const f = (x: number) => x.toFixed(4).padStart(9);
  return [
    `leave-one-out on ${r.users.toLocaleString('en-US')} unseen users (one hidden community each, ranked against the whole vocabulary)`,
    `${'method'.padEnd(12)}${'hit@1'.padStart(9)}${'hit@10'.padStart(9)}${'MRR'.padStart(9)}${'post.acc'.padStart(9)}`,
    ...rows.map(([n, m]) => `${n.padEnd(12)}${f(m['hit@1'])}${f(m['hit@10'])}${f(m.mrr)}${f(m.posting_accuracy)}`),
    `encoder − popularity, paired on the same users:`,
    `  MRR     ${formatPaired(r.versusPopularity.mrr)}`,
    `  hit@10  ${formatPaired(r.versusPopularity['hit@10'])}`,
  ].join('\n');
}

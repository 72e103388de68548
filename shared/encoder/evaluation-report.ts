import { formatPaired, type PairedDifference } from './paired.ts';
import type { RankingMetrics } from './evaluation.ts';

/**
 * What `zipp encoder eval` reports (server/encoder/evaluate.ts computes it): leave-one-out metrics of the
 * encoder and every baseline on the same cases, the paired differences, the attention measures
 * (attention-metrics.ts) and the "communities like yours" measures; plus its JSON and text forms.
 */
export const BASELINES = ['popularity', 'tfidf', 'random', 'cosine'] as const;
export type BaselineName = (typeof BASELINES)[number];
/** Baselines the encoder is compared with per case (random is only a floor). */
export const PAIRED_BASELINES = ['popularity', 'cosine', 'tfidf'] as const;
export type PairedBaseline = (typeof PAIRED_BASELINES)[number];

export interface AttentionReport {
  /** MRR of the cosine baseline given only 3 of the user's communities, chosen by … */
  evidence: { attention: number; activity: number; random: number };
  /** Mean within-user Spearman correlation of attention with log popularity. */
  popularitySpearman: number;
  /** Mean normalised entropy of the attention (1 = uniform). */
  entropy: number;
  /** Users behind each number: evidence needs more than 3 known input communities, Spearman 3 or more. */
  users: { evidence: number; popularitySpearman: number; entropy: number };
}

/** "Communities like yours" (CommunityEncoder.suggest) on the same users. */
export interface SuggestionReport {
  /** Share of users whose hidden community is among their 10 suggestions. */
  'hit@10': number;
  /** Mean share of a user's top 50 suggestions that are among the 50 most popular communities. */
  top50Overlap: number;
  /** Mean share of the 10 suggestions shown that are among the 50 most popular communities. */
  shownInTop50: number;
}

export interface EvaluationReport {
  users: number;
  encoder: RankingMetrics;
  baselines: Record<BaselineName, RankingMetrics>;
  /** Encoder minus each baseline on the same cases, with a bootstrap interval and a sign test (shared/encoder/paired.ts). */
  paired: Record<PairedBaseline, { mrr: PairedDifference; 'hit@10': PairedDifference }>;
  attention: AttentionReport;
  suggestions: SuggestionReport;
}

/** The stronger of popularity and cosine on MRR: the baseline a gain has to be measured against. */
export function strongerBaseline(r: Pick<EvaluationReport, 'baselines'>): 'popularity' | 'cosine' {
  return r.baselines.cosine.mrr > r.baselines.popularity.mrr ? 'cosine' : 'popularity';
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const roundAll = <T extends object>(m: T): T => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])) as T;

/** The `--json` document: `users`, `encoder`, `baselines` as before, then `paired`, `attention`, `suggestions`. */
export function evaluationJson(r: EvaluationReport): Record<string, unknown> {
  const paired = (p: PairedDifference) => ({ ...p, meanDifference: round(p.meanDifference), ci95: p.ci95.map(round), signP: Number(p.signP.toPrecision(3)) });
  return {
    users: r.users,
    encoder: roundAll(r.encoder),
    baselines: Object.fromEntries(BASELINES.map((b) => [b, roundAll(r.baselines[b])])),
    paired: Object.fromEntries(PAIRED_BASELINES.map((b) => [b, { mrr: paired(r.paired[b].mrr), 'hit@10': paired(r.paired[b]['hit@10']) }])),
    attention: { ...r.attention, evidence: roundAll(r.attention.evidence), popularitySpearman: round(r.attention.popularitySpearman), entropy: round(r.attention.entropy) },
    suggestions: roundAll(r.suggestions),
  };
}

/** The eval table as aligned text. */
export function formatEvaluation(r: EvaluationReport): string {
  const rows: [string, RankingMetrics][] = [['encoder', r.encoder], ...BASELINES.map((b) => [b, r.baselines[b]] as [string, RankingMetrics])];
  const f = (x: number) => x.toFixed(4).padStart(9);
  const a = r.attention;
  const s = r.suggestions;
  return [
    `leave-one-out on ${r.users.toLocaleString('en-US')} unseen users (one hidden community each, ranked against the whole vocabulary)`,
    `${'method'.padEnd(12)}${'hit@1'.padStart(9)}${'hit@10'.padStart(9)}${'MRR'.padStart(9)}${'post.acc'.padStart(9)}`,
    ...rows.map(([n, m]) => `${n.padEnd(12)}${f(m['hit@1'])}${f(m['hit@10'])}${f(m.mrr)}${f(m.posting_accuracy)}`),
    ...PAIRED_BASELINES.flatMap((b) => [
      `encoder − ${b}, paired on the same users:`,
      `  MRR     ${formatPaired(r.paired[b].mrr)}`,
      `  hit@10  ${formatPaired(r.paired[b]['hit@10'])}`,
    ]),
    `attention (${a.users.evidence.toLocaleString('en-US')} users with more than 3 known communities): cosine MRR from the top 3 by attention ${a.evidence.attention.toFixed(4)}, by activity ${a.evidence.activity.toFixed(4)}, 3 random ${a.evidence.random.toFixed(4)}`,
    `  Spearman(attention, log popularity) ${a.popularitySpearman.toFixed(3)}; normalised entropy ${a.entropy.toFixed(3)} (1 = uniform)`,
    `communities like yours: hit@10 ${s['hit@10'].toFixed(4)}; top-50 overlap with the 50 most popular ${(s.top50Overlap * 100).toFixed(1)}% (${(s.shownInTop50 * 100).toFixed(1)}% of the 10 shown)`,
  ].join('\n');
}

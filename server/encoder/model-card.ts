import { PAIRED_BASELINES, type EvaluationReport } from '../../shared/encoder/evaluation-report.ts';
import { SUGGESTION_RANKING } from '../../shared/encoder/encoder.ts';
import { formatPaired } from '../../shared/encoder/paired.ts';
import type { IngestReport } from './ingest/index.ts';
import type { EpochRecord } from '../../models/encoder/checkpoint.ts';
import type { EncoderConfig } from '../../models/encoder/config.ts';

/**
 * model-card.md for a trained model directory: data, filters, hyperparameters, training curve summary,
 * the held-out evaluation against baselines, and free-form notes (limits, what was tried) passed in.
 */
export interface CardInput {
  title: string;
  command: string;
  cfg: EncoderConfig;
  ingest: IngestReport;
  split: { train: number; validation: number; holdout: number };
  vocabulary: number;
  trainingEdges: number;
  pruning: { communities: number; edges: number; activityShare: number; minUsers: number; minActivity: number };
  featureKind: string;
  featureDim: number;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  edgesPerSecond: number;
  evaluation: EvaluationReport | undefined;
  files: Record<string, number>;
  notes?: string;
}

const n = (x: number) => x.toLocaleString('en-US');
const f4 = (x: number) => x.toFixed(4);

export function renderModelCard(c: CardInput): string {
  const e = c.evaluation;
  const rows = e
    ? [
        ['GATv2 encoder (this model)', e.encoder],
        ['popularity', e.baselines.popularity],
        ['cosine (item–item co-membership)', e.baselines.cosine],
        ['tfidf (user kNN)', e.baselines.tfidf],
        ['random', e.baselines.random],
      ]
    : [];
  const best = c.history.find((h) => h.epoch === c.bestEpoch);
  const lines = [
    `# ${c.title}`,
    '',
    'A GATv2 community encoder: from the list of communities a user takes part in (with post/comment counts) it',
    'computes a user embedding and, per community, attention weights that say which communities characterise the',
    'user (the input of persona verbalization). Inductive: no per-user training; ' +
      (c.featureKind === 'none'
        ? 'structure-only, so communities it never saw are reported as ignored.'
        : 'unknown communities get features from their name through the same text embedder.'),
    '',
    '## Reproduce',
    '',
    '```sh',
    c.command,
    '```',
    '',
    '## Data',
    '',
    ...c.ingest.sources.map((s) => `- \`${s.path.split('/').slice(-3).join('/')}\`: ${n(s.records)} records, ${n(s.malformed)} malformed.`),
    `- Read ${n(c.ingest.raw.edges)} user–community edges (${n(c.ingest.raw.users)} users, ${n(c.ingest.raw.communities)} communities).`,
    `- Filters: bots / [deleted] / AutoModerator dropped (${n(c.ingest.bots.edges)} edges); NSFW communities dropped (${n(c.ingest.nsfw.communities)} communities, ${n(c.ingest.nsfw.edges)} edges); invalid names dropped (${n(c.ingest.invalidNames.edges)} edges).`,
    `- Users split by a seeded shuffle of those with ≥ 3 communities: ${n(c.split.train)} train (all users with < 3 communities train too), ${n(c.split.validation)} validation (early stopping), ${n(c.split.holdout)} held out (never seen; \`heldout-interactions.csv\`).`,
    `- Long-tail pruning on the training graph: ${n(c.pruning.communities)} communities with fewer than ${c.pruning.minUsers} training users or less than ${c.pruning.minActivity} activity dropped (${n(c.pruning.edges)} edges, ${(c.pruning.activityShare * 100).toFixed(2)}% of training activity); at inference they count as unknown communities.`,
    `- Vocabulary: ${n(c.vocabulary)} communities, ${n(c.trainingEdges)} training edges.`,
    c.featureKind === 'none'
      ? '- Community features: none (structure-only, `--embedder none`): every community is a learned id vector; communities outside the vocabulary are ignored at inference.'
      : `- Community features: ${c.featureKind}, ${c.featureDim} dimensions, from name + title + description + categories (about half the communities have only a name).`,
    '',
    '## Model and training',
    '',
    `- ${c.cfg.layers} GATv2 layers × ${c.cfg.heads} heads, hidden ${c.cfg.hidden}, LayerNorm before attention, LeakyReLU 0.2, edge features [w_us, f_us] through W_e (no bias), residuals, L2-normalised user and community embeddings; a learned community prior (initialised at log popularity) is added to the match score${c.cfg.votes > 0 ? `, and co-membership votes: each community's ${c.cfg.votes} nearest co-members by shrunk cosine (C_ij / (√(n_i n_j) + 20) over the training users) get a learned weight, initialised at that cosine (in logit units), and the user's input communities vote for them (\`community-votes.bin\`)` : ''}.`,
    `- User state: a learned vector (+ N(0, ${c.cfg.userNoise}²) noise in training; none at inference). Free community vectors: ${!c.cfg.freeEmbeddings ? 'off' : c.featureKind === 'none' ? 'on, never dropped (the trainer drops them only when a text path can stand in)' : `on, dropped with p = ${c.cfg.idDropout} per step so the text path carries unknown communities`}.`,
    `- Objective: InfoNCE user ↔ community at temperature ${c.cfg.temperature}, the positive removed from the user's input; candidates: ${c.cfg.negatives === 'vocabulary' ? `every vocabulary community (full softmax: in-batch and near-neighbour negatives included)${c.cfg.maskRate > 0 ? `, ${Math.round(c.cfg.maskRate * 100)}% of a user's communities predicted per step` : ''}` : `each user's own positive against negatives shared by the batch — ${c.cfg.inBatchNegatives} other users' positives (in-batch), ${c.cfg.hardNegatives} near-neighbour communities (reached through co-members) and ${c.cfg.randomNegatives} uniform draws — with the logQ sampling correction; a candidate that is one of the user's own communities is masked`}${c.cfg.linkWeight > 0 ? `; link BCE × ${c.cfg.linkWeight}` : ''}${c.cfg.imageWeight > 0 ? '; user ↔ image InfoNCE (λ = ' + c.cfg.imageWeight + ') when image embeddings are given' : ''}.`,
    `- Adam, learning rate ${c.cfg.learningRate}, ${c.cfg.batchSize} users per step, up to ${c.cfg.epochs} epochs, early stopping on validation ${c.cfg.selectBy === 'loss' ? 'cross-entropy of the hidden community' : 'MRR'} (patience ${c.cfg.patience}), weights averaged over steps (EMA ${c.cfg.ema}); seed ${c.cfg.seed}.`,
    `- Ran ${c.history.length} epochs${c.stoppedEarly ? ' (stopped early)' : ''}; kept epoch ${c.bestEpoch}${best ? ` (validation loss ${f4(best.validationLoss)}, MRR ${f4(best.validation.mrr)}, hit@10 ${f4(best.validation['hit@10'])})` : ''}. Throughput ${n(Math.round(c.edgesPerSecond))} user–community edges per second (TensorFlow.js wasm, this machine; see BENCHMARKS.md).`,
    '',
    '## Evaluation on held-out users',
    '',
  ];
  if (e) {
    lines.push(
      `Leave-one-out on ${n(e.users)} users the model never saw (≥ 3 communities, ≥ 2 in the vocabulary): one vocabulary community hidden (seeded), the rest given as input, every vocabulary community not in the input ranked. \`zipp encoder eval --model DIR --interactions DIR/heldout-interactions.csv\` recomputes it.`,
      '',
      '| method | hit@1 | hit@10 | MRR | posting accuracy |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map(([name, m]) => `| ${name as string} | ${f4((m as EvaluationReport['encoder'])['hit@1'])} | ${f4((m as EvaluationReport['encoder'])['hit@10'])} | ${f4((m as EvaluationReport['encoder']).mrr)} | ${f4((m as EvaluationReport['encoder']).posting_accuracy)} |`),
      '',
      'Encoder − each baseline, paired on the same users (a gain is real only when the interval excludes 0):',
      '',
      ...PAIRED_BASELINES.flatMap((b) => [`- ${b}, MRR: ${formatPaired(e.paired[b].mrr)}.`, `- ${b}, hit@10: ${formatPaired(e.paired[b]['hit@10'])}.`]),
      '',
      '### Attention',
      '',
      `On the ${n(e.attention.users.evidence)} held-out users with more than 3 known communities, the cosine baseline ranks the hidden community from only 3 of the user's communities:`,
      '',
      '| the 3 communities | MRR |',
      '| --- | ---: |',
      `| top 3 by attention | ${f4(e.attention.evidence.attention)} |`,
      `| top 3 by activity | ${f4(e.attention.evidence.activity)} |`,
      `| 3 at random | ${f4(e.attention.evidence.random)} |`,
      '',
      `Within-user Spearman correlation of attention with log popularity: ${e.attention.popularitySpearman.toFixed(3)} (mean over ${n(e.attention.users.popularitySpearman)} users with 3+ known communities). Normalised entropy of the attention: ${e.attention.entropy.toFixed(3)} (1 = uniform).`,
      '',
      '### Communities like yours',
      '',
      `Ranked ${SUGGESTION_RANKING}. Hidden community among the 10 suggestions: ${f4(e.suggestions['hit@10'])} (the cosine baseline's hit@10: ${f4(e.baselines.cosine['hit@10'])}). Of a user's top 50 suggestions, ${(e.suggestions.top50Overlap * 100).toFixed(1)}% are among the 50 most popular communities (${(e.suggestions.shownInTop50 * 100).toFixed(1)}% of the 10 shown).`,
      '',
    );
  } else lines.push('Not evaluated (no held-out users).', '');
  lines.push(
    '## Files',
    '',
    ...Object.entries(c.files).map(([name, size]) => `- \`${name}\` — ${(size / 1024).toFixed(0)} KiB`),
    '',
  );
  if (c.notes?.trim()) lines.push(c.notes.trim(), '');
  return lines.join('\n');
}

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NoTextFeatures } from '../../../shared/embed/no-text-features.ts';
import type { TextEmbedder } from '../../../shared/embed/types.ts';
import { renderModelCard } from '../../encoder/model-card.ts';
import { MODEL_FILES } from '../../../shared/encoder/manifest.ts';
import { FILTER_OPTIONS, filterFlags } from '../ingest-flags.ts';
import { formatEvaluation } from '../../../shared/encoder/evaluation-report.ts';
import { terminalProgress } from '../../encoder/progress.ts';
import { runTraining } from '../../encoder/train-run.ts';
import { numberFlag, wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { llmFromEnv } from '../input.ts';

/** Hashed TF-IDF buckets for training: the projection of every step's communities is the largest matMul. */
const DEFAULT_FEATURE_DIM = 256;

const share = (max: number) => numberFlag(0, true).refine((x) => x <= max, `must be at most ${max}`);

const schema = z.object({
  interactions: z.array(z.string().min(1)).min(1, 'required: --interactions FILE (CSV, JSONL, NDJSON(.zst) or a Reddit export folder)'),
  communities: z.string().min(1).optional(),
  out: z.string({ error: 'required: --out DIR, the model folder to write' }).min(1),
  epochs: wholeFlag(1).optional(),
  seed: z.string().regex(/^-?\d+$/, 'expected a whole number').transform(Number).optional(),
  images: z.string().min(1).optional(),
  holdout: share(0.9).optional(),
  validation: share(0.5).optional(),
  minCommunityUsers: wholeFlag(1).optional(),
  minCommunityActivity: wholeFlag(1).optional(),
  hidden: wholeFlag(8).refine((h) => h % 4 === 0, 'must be a multiple of the 4 heads').optional(),
  batchSize: wholeFlag(4).optional(),
  learningRate: numberFlag(0).optional(),
  negatives: z.enum(['sampled', 'vocabulary'], { error: 'expected sampled or vocabulary' }).optional(),
  linkWeight: numberFlag(0, true).optional(),
  maskRate: share(0.9).optional(),
  idWeightDecay: numberFlag(0, true).optional(),
  votes: wholeFlag(1).refine((k) => k <= 256, 'at most 256 neighbours per community').optional(),
  propagation: z.string().regex(/^[0-3]$/, 'expected 0, 1, 2 or 3').transform(Number).optional(),
  patience: wholeFlag(1).optional(),
  embedder: z
    .string()
    .regex(/^(hashed-tfidf|none|transformers:.+|openai:.+)$/, 'expected hashed-tfidf, none, transformers:MODEL or openai:MODEL')
    .optional(),
  featureDim: wholeFlag(8).optional(),
  checkpointDir: z.string().min(1).optional(),
  resume: z.boolean().optional(),
  ...filterFlags,
  cardNotes: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

export default defineCommand({
  name: 'encoder train',
  summary: 'train the GATv2 community encoder and export it to ONNX',
  options: {
    interactions: { type: 'string', multiple: true, placeholder: 'FILE', description: 'activity: user,community[,posts][,comments] CSV/JSONL, Pushshift NDJSON(.zst), or a Reddit export folder (repeatable)' },
    communities: { type: 'string', placeholder: 'FILE', description: 'communities.jsonl (name, title, description, over18, …): features and the NSFW filter' },
    out: { type: 'string', placeholder: 'DIR', description: 'model folder to write (encoder.onnx, vocabulary.json, model-card.md, …)' },
    epochs: { type: 'string', placeholder: 'N', description: 'maximum epochs (default 40; early stopping usually ends sooner)' },
    seed: { type: 'string', placeholder: 'S', description: 'seed for the split, sampling and initialisation (default 42)' },
    images: { type: 'string', placeholder: 'FILE', description: 'JSONL {"user", "embedding"}: per-user image embeddings for the user ↔ image InfoNCE (λ = 1)' },
    holdout: { type: 'string', placeholder: 'SHARE', description: 'share of users with ≥ 3 communities held out for evaluation (default 0.15)' },
    validation: { type: 'string', placeholder: 'SHARE', description: 'share of those users for early stopping (default 0.1)' },
    'min-community-users': { type: 'string', placeholder: 'N', description: 'prune communities with fewer training users (default 2)' },
    'min-community-activity': { type: 'string', placeholder: 'N', description: 'prune communities with less total activity (default 1)' },
    hidden: { type: 'string', placeholder: 'N', description: 'hidden size, a multiple of 4 (default 32)' },
    'batch-size': { type: 'string', placeholder: 'N', description: 'users per step (default 1024)' },
    'learning-rate': { type: 'string', placeholder: 'LR', description: 'Adam learning rate (default 0.001)' },
    negatives: { type: 'string', placeholder: 'KIND', description: 'sampled (default: in-batch + near-neighbour + uniform, shared, logQ-corrected) or vocabulary (full softmax)' },
    'link-weight': { type: 'string', placeholder: 'W', description: 'weight of the link-prediction BCE (default 0: off)' },
    'mask-rate': { type: 'string', placeholder: 'SHARE', description: "with --negatives vocabulary: share of a user's communities hidden and predicted per step (default 0: one)" },
    'id-weight-decay': { type: 'string', placeholder: 'L', description: 'L2 penalty on the free community vectors (default 0)' },
    votes: { type: 'string', placeholder: 'K', description: 'with --negatives vocabulary: learned co-membership votes, each community\'s K nearest co-members by shrunk cosine (default 0: off)' },
    propagation: { type: 'string', placeholder: 'P', description: 'co-membership propagation steps of the community states, 0–3 (default 0: off)' },
    patience: { type: 'string', placeholder: 'N', description: 'epochs without a better validation loss before stopping (default 10)' },
    embedder: { type: 'string', placeholder: 'KIND', description: 'community features: hashed-tfidf (default), none (structure-only: learned id vectors), transformers:MODEL_OR_DIR, openai:MODEL' },
    'feature-dim': { type: 'string', placeholder: 'N', description: 'hashed-tfidf dimensions (default 256)' },
    'checkpoint-dir': { type: 'string', placeholder: 'DIR', description: 'checkpoint folder (default DIR/checkpoint); written every epoch' },
    resume: { type: 'boolean', description: 'continue from the checkpoint in --checkpoint-dir' },
    ...FILTER_OPTIONS,
    'card-notes': { type: 'string', placeholder: 'FILE', description: 'Markdown appended to model-card.md (limits, what was tried)' },
    json: { type: 'boolean', description: 'print a JSON summary (files, epochs, evaluation) on stdout' },
  },
  details: `
Ingests the activity, holds out users (written to DIR/heldout-interactions.csv), prunes the long tail,
embeds community descriptions, trains with early stopping, exports DIR/encoder.onnx and evaluates it on the
held-out users against popularity / tfidf / random. Progress and epoch lines go to stderr.
The shipped model (models/zipp-encoder) is reproduced by the command in its model-card.md.
With --embedder none the model is structure-only: communities are learned id vectors (for data whose
communities are anonymous ids, or have no text); at inference it ignores communities it never saw.
Examples:
  zipp encoder train --interactions models/data/reddit/interactions.csv \\
    --communities models/data/reddit/communities.jsonl --out models/zipp-encoder
  zipp encoder train --interactions models/data/reddit-dense/interactions.csv --embedder none --out models/reddit-dense`,
  schema,
  async run(args, io) {
    let embedder: ((texts: string[]) => Promise<TextEmbedder>) | undefined;
    if (args.embedder?.startsWith('transformers:')) {
      const target = args.embedder.slice('transformers:'.length);
      const local = target.startsWith('.') || target.startsWith('/');
      const { TransformersEmbedder } = await import('../../../shared/embed/transformers.ts');
      embedder = () =>
        TransformersEmbedder.load(local ? { model: path.basename(target), localModelPath: path.dirname(path.resolve(target)) } : { model: target });
    } else if (args.embedder?.startsWith('openai:')) {
      const { settings } = llmFromEnv(io);
      const { OpenAiTextEmbedder } = await import('../../../shared/embed/openai.ts');
      embedder = () => OpenAiTextEmbedder.connect(settings, { model: args.embedder!.slice('openai:'.length) });
    } else if (args.embedder === 'none') {
      embedder = async () => new NoTextFeatures();
      if (args.communities) {
        io.stderr(
          `--embedder none wins over the texts of --communities: the model is structure-only (learned id vectors); ${path.basename(args.communities)} still filters NSFW communities and gives display labels`,
        );
      }
    }
    if (args.votes !== undefined && args.negatives !== 'vocabulary') {
      throw new UsageError('--votes needs --negatives vocabulary: the votes land on arbitrary communities, so every community must be a candidate (a full softmax)');
    }
    if (args.featureDim !== undefined && args.embedder && args.embedder !== 'hashed-tfidf') {
      throw new UsageError('--feature-dim applies to the hashed-tfidf embedder only');
    }
    const notes = args.cardNotes ? await readFile(args.cardNotes, 'utf8') : undefined;
    const config = {
      ...(args.epochs !== undefined ? { epochs: args.epochs } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.validation !== undefined ? { validationShare: args.validation } : {}),
      ...(args.hidden !== undefined ? { hidden: args.hidden } : {}),
      ...(args.batchSize !== undefined ? { batchSize: args.batchSize } : {}),
      ...(args.learningRate !== undefined ? { learningRate: args.learningRate } : {}),
      ...(args.negatives !== undefined ? { negatives: args.negatives } : {}),
      ...(args.linkWeight !== undefined ? { linkWeight: args.linkWeight } : {}),
      ...(args.maskRate !== undefined ? { maskRate: args.maskRate } : {}),
      ...(args.idWeightDecay !== undefined ? { idWeightDecay: args.idWeightDecay } : {}),
      ...(args.votes !== undefined ? { votes: args.votes } : {}),
      ...(args.propagation !== undefined ? { propagation: args.propagation } : {}),
      ...(args.patience !== undefined ? { patience: args.patience } : {}),
    };
    const log = (line: string) => io.stderr(line);
    const run = await runTraining({
      interactions: args.interactions,
      ...(args.communities ? { communities: args.communities } : {}),
      out: args.out,
      ...(args.images ? { images: args.images } : {}),
      config,
      holdoutShare: args.holdout ?? 0.15,
      minCommunityUsers: args.minCommunityUsers ?? 2,
      minCommunityActivity: args.minCommunityActivity ?? 1,
      ...(args.maxErrorRate !== undefined ? { maxErrorRate: args.maxErrorRate } : {}),
      keepBots: args.keepBots ?? false,
      keepNsfw: args.keepNsfw ?? false,
      redditNames: args.redditNames ?? false,
      ...(embedder ? { embedder } : {}),
      hashedTfidf: { dimension: args.featureDim ?? DEFAULT_FEATURE_DIM },
      checkpointDir: args.checkpointDir ?? path.join(args.out, 'checkpoint'),
      resume: args.resume ?? false,
      progress: terminalProgress(log),
      log,
    });
    const command = `npx zipp encoder train ${process.argv.slice(4).join(' ')}`.trim();
    const card = renderModelCard({
      title: `ZIPP community encoder — ${path.basename(path.resolve(args.out))}`,
      command,
      cfg: run.result.trainer.cfg,
      ingest: run.ingest,
      split: run.split,
      vocabulary: run.vocabulary,
      trainingEdges: run.trainingEdges,
      pruning: { ...run.pruning, minUsers: args.minCommunityUsers ?? 2, minActivity: args.minCommunityActivity ?? 1 },
      featureKind: run.featureKind,
      featureDim: run.featureDim,
      history: run.result.history,
      bestEpoch: run.result.bestEpoch,
      stoppedEarly: run.result.stoppedEarly,
      edgesPerSecond: run.result.edgesPerSecond,
      evaluation: run.evaluation,
      files: run.files,
      ...(notes ? { notes } : {}),
    });
    await writeFile(path.join(args.out, MODEL_FILES.card), card);
    if (args.json) {
      io.stdout(
        toJson({
          out: args.out,
          files: run.files,
          vocabulary: run.vocabulary,
          epochs: run.result.history.length,
          bestEpoch: run.result.bestEpoch,
          edgesPerSecond: Math.round(run.result.edgesPerSecond),
          evaluation: run.evaluation ?? null,
        }),
      );
    } else {
      if (run.evaluation) io.stdout(formatEvaluation(run.evaluation));
      io.stdout(`wrote ${args.out} (${Object.keys(run.files).length + 1} files, encoder.onnx ${(run.files[MODEL_FILES.onnx]! / 2 ** 20).toFixed(1)} MiB)`);
    }
  },
});

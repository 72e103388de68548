import { z } from 'zod';
import type { RankingMetrics } from '../../../shared/encoder/evaluation.ts';
import { encoderUsage } from '../../encoder/errors.ts';
import { evaluateModel, EVAL_SEED, formatEvaluation, readUserLists } from '../../encoder/evaluate.ts';
import { numberFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';

export default defineCommand({
  name: 'encoder eval',
  summary: 'leave-one-out ranking on unseen users against baselines',
  options: {
    model: { type: 'string', placeholder: 'DIR', description: 'model folder (e.g. models/zipp-encoder)' },
    interactions: { type: 'string', placeholder: 'FILE', description: 'users the model never saw: user,community[,posts][,comments] (CSV/JSONL/NDJSON)' },
    seed: { type: 'string', placeholder: 'S', description: `seed for the hidden community and the random baseline (default ${EVAL_SEED})` },
    'max-error-rate': { type: 'string', placeholder: 'R', description: 'tolerated share of malformed records (default 0.01)' },
    json: { type: 'boolean', description: 'print {"users", "encoder", "baselines"} as JSON' },
  },
  details: `
For each user with at least 3 communities (2 of them in the model's vocabulary) one vocabulary community is
hidden (seeded), the rest is the input, and every vocabulary community not in the input is ranked.
hit@1 / hit@10: share of users whose hidden community ranks first / in the top 10; MRR: mean 1/rank;
posting_accuracy: share of users whose hidden community scores above a random community they never joined.
Baselines: popularity (training users per community), tfidf (user-based nearest neighbours over TF-IDF
community vectors), random.
Example:
  zipp encoder eval --model models/zipp-encoder --interactions models/zipp-encoder/heldout-interactions.csv --json`,
  schema: z.object({
    model: z.string({ error: 'required: --model DIR (e.g. models/zipp-encoder)' }).min(1),
    interactions: z.string({ error: 'required: --interactions FILE with the users to evaluate' }).min(1),
    seed: z.string().regex(/^-?\d+$/, 'expected a whole number').transform(Number).optional(),
    maxErrorRate: numberFlag(0, true).optional(),
    json: z.boolean().optional(),
  }),
  run: (args, io) =>
    encoderUsage(async () => {
      const users = await readUserLists(args.interactions, args.maxErrorRate !== undefined ? { maxErrorRate: args.maxErrorRate } : {});
      const report = await evaluateModel(args.model, users, {
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        onProgress: (done, total) => {
          if (!args.json && process.stderr.isTTY) process.stderr.write(`\revaluating ${done}/${total} users`);
        },
      });
      if (!args.json && process.stderr.isTTY) process.stderr.write('\n');
      if (report.users === 0) {
        throw new UsageError(`${args.interactions}: no user has 3+ communities with 2+ in the model's vocabulary; nothing to evaluate`);
      }
      const round = (m: RankingMetrics) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));
      if (args.json) {
        io.stdout(
          toJson({
            users: report.users,
            encoder: round(report.encoder),
            baselines: { popularity: round(report.baselines.popularity), tfidf: round(report.baselines.tfidf), random: round(report.baselines.random) },
          }),
        );
      } else io.stdout(formatEvaluation(report));
    }),
});

import { z } from 'zod';
import { evaluationJson, formatEvaluation } from '../../../shared/encoder/evaluation-report.ts';
import { evaluateModel, EVAL_SEED, readUserLists } from '../../encoder/evaluate.ts';
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
    json: { type: 'boolean', description: 'print {"users", "encoder", "baselines", "paired", "attention", "suggestions"} as JSON' },
  },
  details: `
For each user with at least 3 communities (2 of them in the model's vocabulary) one vocabulary community is
hidden (seeded), the rest is the input, and every vocabulary community not in the input is ranked.
hit@1 / hit@10: share of users whose hidden community ranks first / in the top 10; MRR: mean 1/rank;
posting_accuracy: share of users whose hidden community scores above a random community they never joined.
Baselines: popularity (training users per community), cosine (item-item cosine over the training users'
community sets, shrunk as C_ij / (sqrt(n_i n_j) + 20), summed over the input communities), tfidf
(user-based nearest neighbours over TF-IDF community vectors), random. Every method ranks the same hidden
community per user; "paired" gives encoder − baseline with a 95% bootstrap interval and a sign test.
"attention": MRR of the cosine baseline from only the user's top 3 communities by attention / by activity /
3 random ones ("evidence"), the mean within-user Spearman correlation of attention with log popularity, and
the mean normalised entropy of the attention (1 = uniform). "suggestions": hit@10 of "communities like yours"
and the share of their top 50 that are among the 50 most popular communities.
Example:
  zipp encoder eval --model models/zipp-encoder --interactions models/zipp-encoder/heldout-interactions.csv --json`,
  schema: z.object({
    model: z.string({ error: 'required: --model DIR (e.g. models/zipp-encoder)' }).min(1),
    interactions: z.string({ error: 'required: --interactions FILE with the users to evaluate' }).min(1),
    seed: z.string().regex(/^-?\d+$/, 'expected a whole number').transform(Number).optional(),
    maxErrorRate: numberFlag(0, true).optional(),
    json: z.boolean().optional(),
  }),
  async run(args, io) {
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
    if (args.json) io.stdout(toJson(evaluationJson(report)));
    else io.stdout(formatEvaluation(report));
  },
});

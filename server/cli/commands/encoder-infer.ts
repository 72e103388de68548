import { z } from 'zod';
import { parseCommunityRecords } from '../../../shared/community/records.ts';
import { parseCommunitySpec } from '../../../shared/community/list.ts';
import type { CommunityActivity } from '../../../shared/schemas/community.ts';
import { readUserLists } from '../../encoder/evaluate.ts';
import { DEFAULT_MODEL_DIR, loadEncoder } from '../../encoder/load.ts';
import { SUGGESTION_RANKING } from '../../../shared/encoder/encoder.ts';
import { wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { readUtf8File } from '../../runtime/text-file.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';

export default defineCommand({
  name: 'encoder infer',
  summary: 'rank communities and embed one user from their community list',
  options: {
    model: { type: 'string', placeholder: 'DIR', description: 'model folder (default: the shipped models/zipp-encoder)' },
    communities: { type: 'string', placeholder: 'LIST', description: '"name:count,name:count" (count = comments; "name:posts/comments" for both)' },
    export: { type: 'string', placeholder: 'DIR', description: 'a Reddit data export folder (comments.csv / posts.csv) instead of --communities' },
    descriptions: { type: 'string', placeholder: 'FILE', description: 'communities.jsonl: descriptions for communities the model does not know' },
    suggest: { type: 'string', placeholder: 'N', description: 'also list N "communities like yours" the user is not in, by similarity, not popularity (default 10; 0 = off)' },
    json: { type: 'boolean', description: 'print {communities, suggestions, embedding, ignored} as JSON' },
  },
  details: `
Prints the user's communities ranked by attention (mean over layers and heads; it sums to 1), the
communities the model would suggest, and the L2-normalised user embedding. Communities outside the model's
vocabulary are embedded from their name; a list with none the model knows is an error.
Example:
  zipp encoder infer --communities "analog:40,photography:12,askreddit:3" --json`,
  schema: z
    .object({
      model: z.string().min(1).optional(),
      communities: z.string().min(1, 'give communities as "name:count,name:count", e.g. "analog:40,photography:3"').optional(),
      export: z.string().min(1).optional(),
      descriptions: z.string().min(1).optional(),
      suggest: wholeFlag(0).optional(),
      json: z.boolean().optional(),
    })
    .refine((a) => (a.communities === undefined) !== (a.export === undefined), {
      message: 'give either --communities "name:count,…" or --export DIR (one of the two)',
      path: ['communities'],
    }),
  async run(args, io) {
    let list: CommunityActivity[];
    if (args.communities !== undefined) {
      // Any names (a model may be trained on Last.fm artists); a bad entry is an InputError on --communities.
      list = parseCommunitySpec(args.communities, { names: 'any' });
    } else {
      const users = await readUserLists(args.export!);
      list = [...users.values()][0] ?? [];
      if (list.length === 0) throw new UsageError(`--export: ${args.export} has no comments or posts in any community`);
    }
    const encoder = await loadEncoder(args.model ?? DEFAULT_MODEL_DIR);
    try {
      const records = args.descriptions ? parseCommunityRecords(readUtf8File(args.descriptions), args.descriptions) : undefined;
      const [user] = await encoder.encode([list], records ? { records } : {});
      const suggestions = (args.suggest ?? 10) > 0 ? encoder.suggest(user!, args.suggest ?? 10) : [];
      if (args.json) {
        io.stdout(
          toJson({
            communities: user!.communities.map((c) => ({ ...c, importance: round(c.importance), attention: c.attention.map((l) => l.map(round)) })),
            suggestions: suggestions.map((s) => ({ ...s, score: round(s.score) })),
            embedding: Array.from(user!.embedding, round),
            ignored: user!.ignored,
          }),
        );
        return;
      }
      const width = Math.max(9, ...user!.communities.map((c) => c.label.length)) + 2;
      const lines = ['community'.padEnd(width) + 'importance  activity', ...user!.communities.map((c) => `${(c.label + (c.known ? '' : ' *')).padEnd(width)}${c.importance.toFixed(4).padStart(10)}  ${String(c.posts + c.comments).padStart(8)}`)];
      if (user!.communities.some((c) => !c.known)) lines.push('* not in the model vocabulary: features from the name');
      if (user!.ignored.length) {
        const why = encoder.manifest.embedder.kind === 'none' ? ' (not in the vocabulary of this structure-only model, which has no text features to embed them)' : '';
        lines.push(`ignored: ${user!.ignored.join(', ')}${why}`);
      }
      if (suggestions.length) lines.push('', `communities like yours (${SUGGESTION_RANKING}): ${suggestions.map((s) => s.label).join(', ')}`);
      lines.push('', `embedding (${user!.embedding.length} dims): [${Array.from(user!.embedding.slice(0, 6), (x) => x.toFixed(3)).join(', ')}, …]`);
      io.stdout(lines.join('\n'));
    } finally {
      await encoder.release();
    }
  },
});

const round = (x: number) => Math.round(x * 1e6) / 1e6;

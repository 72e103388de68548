import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { FILTER_OPTIONS, filterFlags } from '../ingest-flags.ts';
import { describeReport, ingest, interactionsCsv } from '../../encoder/ingest/index.ts';
import { wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'encoder ingest',
  summary: 'aggregate raw activity (CSV, JSONL, NDJSON(.zst), Reddit export) into a graph',
  options: {
    interactions: { type: 'string', multiple: true, placeholder: 'FILE', description: 'CSV/JSONL edges, Pushshift/Arctic-Shift NDJSON (plain, .gz, .zst) or a Reddit export folder (repeatable)' },
    communities: { type: 'string', placeholder: 'FILE', description: 'communities.jsonl with over18 flags for the NSFW filter' },
    out: { type: 'string', placeholder: 'FILE', description: 'write the aggregated graph as CSV user,community,posts,comments (omit for a report only)' },
    'export-user': { type: 'string', placeholder: 'NAME', description: 'user name for a Reddit export folder (default "me")' },
    'min-user-degree': { type: 'string', placeholder: 'N', description: 'drop users in fewer communities (default 1)' },
    'min-community-users': { type: 'string', placeholder: 'N', description: 'prune communities with fewer users (default 1)' },
    'min-community-activity': { type: 'string', placeholder: 'N', description: 'prune communities with less total activity (default 1)' },
    ...FILTER_OPTIONS,
    json: { type: 'boolean', description: 'print the ingestion report as JSON' },
  },
  details: `
DuckDB reads and aggregates the input out of core (zstd NDJSON natively), so dumps larger than memory work;
train on the CSV it writes. Malformed records are counted and reported with line numbers (for NDJSON, blank
lines are not counted); a run fails only past --max-error-rate.
Example:
  zipp encoder ingest --interactions RC_2015-01.zst --min-community-users 5 --out graph.csv`,
  schema: z.object({
    interactions: z.array(z.string().min(1)).min(1, 'required: --interactions FILE'),
    communities: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    exportUser: z.string().min(1).optional(),
    minUserDegree: wholeFlag(1).optional(),
    minCommunityUsers: wholeFlag(1).optional(),
    minCommunityActivity: wholeFlag(1).optional(),
    ...filterFlags,
    json: z.boolean().optional(),
  }),
  async run(args, io) {
    const result = await ingest({
      inputs: args.interactions,
      ...(args.communities ? { communities: args.communities } : {}),
      ...(args.exportUser ? { exportUser: args.exportUser } : {}),
      ...(args.minUserDegree !== undefined ? { minUserDegree: args.minUserDegree } : {}),
      ...(args.minCommunityUsers !== undefined ? { minCommunityUsers: args.minCommunityUsers } : {}),
      ...(args.minCommunityActivity !== undefined ? { minCommunityActivity: args.minCommunityActivity } : {}),
      ...(args.maxErrorRate !== undefined ? { maxErrorRate: args.maxErrorRate } : {}),
      keepBots: args.keepBots ?? false,
      keepNsfw: args.keepNsfw ?? false,
      redditNames: args.redditNames ?? false,
    });
    if (args.out) await writeFile(args.out, interactionsCsv(result.interactions, result.labels));
    if (args.json) io.stdout(toJson({ ...result.report, out: args.out ?? null }));
    else io.stdout([...describeReport(result.report), ...(args.out ? [`wrote ${args.out}`] : [])].join('\n'));
  },
});

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { parseCommunitySpec } from '../../../shared/community/list.ts';
import type { CommunityActivity } from '../../../shared/schemas/community.ts';
import type { CommunityDescription } from '../../../shared/persona/assign.ts';
import { documentFrequencies, resolveImportance, tfidfImportance, type DocumentFrequencies, type ImportanceInputs } from '../../../shared/persona/importance.ts';
import { NoKnownCommunityError } from '../../../shared/encoder/inputs.ts';
import { DEFAULT_MODEL_DIR, loadEncoder } from '../../encoder/load.ts';
import { parseTextsJsonl, type TextRecord } from '../../../shared/persona/inputs.ts';
import { parseCommunityRecords } from '../../../shared/community/records.ts';
import { personaFromQuestionnaire, verbalizePersona, type PersonaResult } from '../../../shared/persona/verbalize.ts';
import { defineCommand, type CommandIO } from '../command.ts';
import { UsageError } from '../errors.ts';
import { llmFromEnv, readTextFile } from '../input.ts';

/** The vendored Reddit data (see models/data/SOURCES.md): descriptions and the TF-IDF reference population. */
const REDDIT_DATA = fileURLToPath(new URL('../../../models/data/reddit/', import.meta.url));
const DEFAULT_DESCRIPTIONS = `${REDDIT_DATA}communities.jsonl`;
const REFERENCE_INTERACTIONS = `${REDDIT_DATA}interactions.csv`;

/** Past this context size the paper saw GPT-4o invent persona details. */
const HALLUCINATION_CONTEXT = 8192;

const schema = z
  .object({
    communities: z.string().min(1, 'give communities as "name:count,name:count", e.g. "analog:40,woodworking:3"').optional(),
    questionnaire: z.string().min(1, 'give a JSON file with the 10 intake answers').optional(),
    texts: z.string().min(1, 'give a JSONL file of {"community"?, "text", "score"?} lines').optional(),
    user: z.string().min(1).optional(),
    descriptions: z.string().min(1).optional(),
    budget: z
      .string()
      .regex(/^\d+$/, 'expected a whole number of tokens, e.g. 4096')
      .transform(Number)
      .refine((n) => n <= 32_000, 'at most 32000 tokens (the paper used 4096; past 8192 models invent details)')
      .optional(),
    importance: z.enum(['encoder', 'tfidf', 'activity'], { error: 'expected encoder, tfidf or activity' }).optional(),
    model: z.string().min(1).optional(),
    keepSensitive: z.boolean().optional(),
    json: z.boolean().optional(),
  })
  .refine((a) => (a.communities === undefined) !== (a.questionnaire === undefined), {
    message: 'give either --communities "name:count,…" or --questionnaire FILE (one of the two)',
    path: ['communities'],
  })
  .refine((a) => a.questionnaire === undefined || (a.texts ?? a.descriptions ?? a.budget ?? a.importance ?? a.model ?? a.user) === undefined, {
    message: 'only --keep-sensitive and --json go with --questionnaire',
    path: ['questionnaire'],
  })
  .refine((a) => a.user === undefined || a.texts !== undefined, { message: '--user picks a user in --texts FILE: give --texts too', path: ['user'] });
type Args = z.output<typeof schema>;


/** TF-IDF's reference population: the 12k users of the vendored interactions. */
async function vendoredFrequencies(): Promise<DocumentFrequencies> {
  const rows = parseCsv(await readFile(REFERENCE_INTERACTIONS), { columns: true, skip_empty_lines: true }) as { user: string; community: string }[];
  return documentFrequencies(rows);
}

/**
 * What `resolveImportance` may use: by default the shipped encoder's attention (or --model's), TF-IDF
 * standing in for a list with no community the encoder knows; `--importance tfidf|activity` narrows it.
 */
async function importanceInputs(args: Args, warnings: string[]): Promise<{ inputs: ImportanceInputs; release(): Promise<void> }> {
  const wanted = args.importance ?? 'encoder';
  if (wanted === 'activity') return { inputs: {}, release: async () => {} };
  const tfidf = await vendoredFrequencies();
  if (wanted === 'tfidf') return { inputs: { tfidf }, release: async () => {} };
  const encoder = await loadEncoder(args.model ?? DEFAULT_MODEL_DIR, { communityEmbeddings: false });
  const attention = async (activity: readonly CommunityActivity[]) => {
    try {
      return await encoder.importance(activity);
    } catch (err) {
      if (!(err instanceof NoKnownCommunityError)) throw err;
      warnings.push('no community of the list is known to the encoder: importance from TF-IDF instead');
      return tfidfImportance(activity, tfidf);
    }
  };
  return { inputs: { attention }, release: () => encoder.release() };
}

async function loadDescriptions(args: Args, wanted: ReadonlySet<string>): Promise<CommunityDescription[]> {
  const path = args.descriptions ?? DEFAULT_DESCRIPTIONS;
  return parseCommunityRecords(await readTextFile('descriptions', path), path).pick(wanted);
}

async function run(args: Args, io: CommandIO): Promise<PersonaResult> {
  if (args.questionnaire !== undefined) {
    const raw = await readTextFile('questionnaire', args.questionnaire);
    let answers: unknown;
    try {
      answers = JSON.parse(raw);
    } catch {
      throw new UsageError(`--questionnaire: ${args.questionnaire} is not JSON: write one object with the 10 answers`);
    }
    const llm = llmFromEnv(io);
    return personaFromQuestionnaire(llm.client, answers, { keepSensitive: args.keepSensitive ?? false });
  }

  const communities = parseCommunitySpec(args.communities!);
  const llm = llmFromEnv(io);
  let texts: TextRecord[] | undefined;
  if (args.texts !== undefined) {
    texts = parseTextsJsonl(await readTextFile('texts', args.texts), { ...(args.user ? { user: args.user } : {}), source: args.texts });
    if (texts.length === 0) throw new UsageError(`--texts: ${args.texts} has no texts: write one {"text": ...} object per line`);
  }
  const descriptions = await loadDescriptions(args, new Set(communities.map((c) => c.name)));
  const notes: string[] = [];
  const importance = await importanceInputs(args, notes);
  const { scorer } = resolveImportance(importance.inputs);
  if (!args.json) io.stderr(`verbalizing ${communities.length} communit${communities.length === 1 ? 'y' : 'ies'}${texts ? ` and ${texts.length} texts` : ''} with ${llm.client.model} at ${llm.settings.baseUrl} …`);
  const result = await verbalizePersona(llm.client, {
    communities,
    descriptions,
    scorer,
    keepSensitive: args.keepSensitive ?? false,
    ...(texts ? { texts } : {}),
    ...(args.budget !== undefined ? { budget: args.budget } : {}),
  }).finally(() => importance.release());
  result.warnings.push(...notes);
  if ((args.budget ?? 0) > HALLUCINATION_CONTEXT) result.warnings.unshift(`--budget ${args.budget} is over ${HALLUCINATION_CONTEXT} tokens, where models start inventing persona details`);
  return result;
}

export default defineCommand({
  name: 'persona',
  summary: 'verbalize a persona from communities (and texts) with the LLM',
  options: {
    communities: { type: 'string', short: 'c', placeholder: 'LIST', description: 'communities with activity: "analog:40,woodworking:3" (name:count, name:posts/comments, or a bare name = 1)' },
    texts: { type: 'string', placeholder: 'FILE', description: 'JSONL of the user\'s posts/comments: {"community"?, "text", "score"?} or {"user", "text"}' },
    user: { type: 'string', placeholder: 'ID', description: 'with a {"user", "text"} file holding several users: whose texts to use' },
    descriptions: { type: 'string', placeholder: 'FILE', description: 'community descriptions JSONL (default: the vendored models/data/reddit/communities.jsonl)' },
    budget: { type: 'string', placeholder: 'N', description: 'token budget of the evidence sent to the LLM (default 4096)' },
    importance: { type: 'string', placeholder: 'I', description: "how communities are weighted: encoder (default: the model's attention) | tfidf | activity" },
    model: { type: 'string', placeholder: 'DIR', description: 'encoder folder for --importance encoder (default: the shipped models/zipp-encoder)' },
    questionnaire: { type: 'string', placeholder: 'FILE', description: 'instead of communities: JSON with the 10 intake answers' },
    'keep-sensitive': { type: 'boolean', description: 'keep sentences naming race, politics, religion, sexuality or health (still reported)' },
    json: { type: 'boolean', description: 'print one JSON document {text, template, model, usage, evidence, removed, findings, warnings}' },
  },
  details: `
Importance of each community (shared/persona/importance.ts, resolveImportance): the shipped encoder's
attention over the user's 50 most active communities (a community beyond them, or one the encoder cannot
embed, gets no budget and a warning says so); --importance tfidf uses activity share × rarity among the 12k
users of the vendored interactions.csv, "activity" the counts alone. The evidence
budget (Algorithm 3) is split over at most 50 communities in proportion (floor); per community the texts
are ranked by score, cleaned (no URLs, mentions, [deleted]/[removed], under-5-word items), deduplicated and
picked greedily for diversity. Without usable texts the persona comes from community descriptions alone.
NSFW communities (over18 in the descriptions) are left out with their texts.

Texts of unknown community ({"user","text"} lines, as in models/data/reddit/user_texts.jsonl, are split back
into comments): each goes to the listed community whose name/description words it shares most, else to an
"unassigned" pool that only gets budget the communities leave unused.

Sentences naming race/ethnicity, political affiliation, religion, sexual orientation or health are removed
and listed on stderr (or under "removed" in --json); --keep-sensitive keeps them.

LLM: ZIPP_LLM_BASE_URL, ZIPP_LLM_API_KEY, ZIPP_LLM_MODEL (or OPENAI_*).
Examples:
  zipp persona --communities "analog:40,woodworking:12,Pathfinder_RPG:3"
  zipp persona -c "woodworking:3,pathfinder_rpg:2" --texts models/data/reddit/user_texts.jsonl --user u9d954ebc5e15 --json
  zipp persona --questionnaire answers.json`,
  schema,
  async run(args, io) {
    const result: PersonaResult = await run(args, io);
    if (args.json) {
      io.stdout(JSON.stringify(result, null, 2));
      return 0;
    }
    io.stdout(result.text);
    const u = result.usage;
    const evidence = result.evidence.items.length
      ? `${result.evidence.items.length} texts from ${new Set(result.evidence.items.map((i) => i.community)).size} communities (${result.context?.tokens ?? 0} tokens)`
      : `${result.evidence.communities.length} communities, no texts`;
    io.stderr(`${result.template} · ${result.model} · ${evidence} · ${u.requests} request${u.requests === 1 ? '' : 's'}, ${u.totalTokens} tokens`);
    for (const r of result.removed) io.stderr(`removed (${r.categories.join(', ')}): ${r.sentence}`);
    for (const w of result.warnings) io.stderr(`warning: ${w}`);
    return 0;
  },
});

import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import type { CommunityActivity } from '../../shared/schemas/community.ts';
import { parseTextsJsonl } from '../../shared/persona/inputs.ts';
import { readUserLists } from '../encoder/evaluate.ts';
import { parseRecords } from './jsonl.ts';
import { readText } from './tabular.ts';
import type { BenchUser, Dataset, UserText } from './types.ts';

/**
 * Users given as community lists — the paper's own path: a persona mined from the communities a user takes
 * part in (and their posts and comments), then used to rewrite prompts. Three files:
 * - `path`: the community lists with activity counts, in any format `zipp encoder train` reads
 *   (`user,community,comments[,posts]` CSV such as models/data/reddit/interactions.csv, JSONL, NDJSON);
 * - `texts` (optional): the users' posts and comments, JSONL with a `user` on every line — either one
 *   post per line `{user, text, community?, score?}` or all of a user's comments in one `{user, text}`
 *   (models/data/reddit/user_texts.jsonl; split back into comments);
 * - `prompts`: the prompt pool, JSONL `{prompt, user?}` or one prompt per line. Prompts without a user
 *   are shared (e.g. the paper's 20 base prompts: every user gets the first `queriesPerUser`); a user's
 *   own prompts (held-out prompts of that user) replace the shared ones for them, the last
 *   `queriesPerUser` being the queries and the earlier ones the user's history.
 */
export interface CommunitiesOptions {
  texts?: string;
  prompts: string;
  queriesPerUser?: number;
}

const PromptRecord = z.object({
  prompt: z.string().trim().min(1, 'prompt is empty'),
  user: z.union([z.string().min(1), z.number()]).transform(String).optional(),
});

export async function loadCommunities(path: string, options: CommunitiesOptions): Promise<Dataset> {
  const n = options.queriesPerUser ?? 2;
  let lists: Map<string, CommunityActivity[]>;
  try {
    lists = await readUserLists(path);
  } catch (err) {
    throw new InputError(`dataset.path: cannot read the community lists ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (lists.size === 0) throw new InputError(`dataset.path: ${path} holds no user–community activity; give a user,community,comments CSV (e.g. models/data/reddit/interactions.csv)`);
  const { shared, own } = await readPrompts(options.prompts);
  const texts = options.texts ? await readUserTexts(options.texts, new Set(lists.keys())) : new Map<string, UserText[]>();

  const users: BenchUser[] = [];
  for (const [id, communities] of lists) {
    const mine = own.get(id);
    const pool = mine ?? shared;
    if (pool.length === 0) continue;
    const queries = mine ? mine.slice(-n) : shared.slice(0, n);
    users.push({
      id,
      communities,
      history: mine ? mine.slice(0, Math.max(0, mine.length - n)) : [],
      queries,
      ...(texts.has(id) ? { texts: texts.get(id)! } : {}),
    });
  }
  if (users.length === 0) {
    throw new InputError(`dataset.prompts: ${options.prompts} has no prompt for any user of ${path}: add shared prompts (lines without "user") or prompts of these users`);
  }
  return { name: 'communities', users, source: path, note: 'personas mined from community lists (encoder attention → Algorithm 3 → persona prompt)' };
}

async function readPrompts(file: string): Promise<{ shared: string[]; own: Map<string, string[]> }> {
  const text = await readText(file, `prompt pool ${file}`);
  const first = text.trimStart()[0];
  const records =
    first === '{' || first === '['
      ? parseRecords(text, PromptRecord, `prompt pool ${file}`)
      : text
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean)
          .map((prompt) => ({ prompt, user: undefined }));
  if (records.length === 0) throw new InputError(`dataset.prompts: ${file} holds no prompt; write one prompt per line or JSONL {"prompt": …}`);
  const shared: string[] = [];
  const own = new Map<string, string[]>();
  for (const r of records) {
    if (r.user === undefined) shared.push(r.prompt);
    else {
      let list = own.get(r.user);
      if (!list) own.set(r.user, (list = []));
      list.push(r.prompt);
    }
  }
  return { shared, own };
}

/** Texts grouped by user (each line parsed once), then through the persona pipeline's own parser. */
async function readUserTexts(file: string, wanted: ReadonlySet<string>): Promise<Map<string, UserText[]>> {
  const lines = (await readText(file, `texts file ${file}`)).split(/\r?\n/);
  const byUser = new Map<string, string[]>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let user: unknown;
    try {
      user = (JSON.parse(line) as { user?: unknown } | null)?.user;
    } catch {
      throw new InputError(`dataset.texts: ${file} line ${i + 1} is not JSON: write one {"user", "text", "community"?, "score"?} object per line`);
    }
    if (typeof user !== 'string' || !user) throw new InputError(`dataset.texts: ${file} line ${i + 1} has no "user": every line names the user it belongs to`);
    if (!wanted.has(user)) return;
    let list = byUser.get(user);
    if (!list) byUser.set(user, (list = []));
    list.push(line);
  });
  const out = new Map<string, UserText[]>();
  for (const [user, own] of byUser) {
    try {
      const records = parseTextsJsonl(own.join('\n'), { user, source: file });
      out.set(user, records.map(({ user: _, ...t }) => t));
    } catch (err) {
      throw new InputError(`dataset.texts: ${(err as Error).message}`);
    }
  }
  return out;
}

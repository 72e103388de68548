/**
 * Parsing of the texts a persona is built from. Two JSONL shapes are accepted, one object per line:
 * - `{community?, text, score?, id?}` — one post or comment, optionally with its community and score;
 * - `{user, text}` — the vendored `models/data/reddit/user_texts.jsonl` shape: ALL of one user's comments
 *   concatenated without separators. These are split back into comments (see splitConcatenatedComments)
 *   and have no community; the pipeline assigns them (see assign.ts).
 * Pure string-in, records-out, so the server, the CLI and the extension share it.
 */
import { z } from 'zod';
import { normalizeCommunityName } from '../schemas/community.ts';
import { PersonaInputError } from './errors.ts';

export const TextRecord = z
  .object({
    community: z.string().trim().min(1).optional(),
    text: z.string(),
    score: z.number().finite().optional(),
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    user: z.string().optional(),
  })
  .strip();
export type TextRecord = z.output<typeof TextRecord>;

/** Dataset placeholders in the vendored user_texts.jsonl that stand for "no text", not for words. */
const PLACEHOLDERS = /\b(?:no_words|something_wrong_with_this_user)\b/g;

/**
 * Splits one user's concatenated comments ("…for my arcana.Now, I'm wondering…") back into comments:
 * at a sentence end followed directly by a capital letter with no space, and around inline [removed] /
 * [deleted] markers (kept as their own items so they are counted as removed). Comments that ended without
 * punctuation stay glued to the next one: there is no reliable boundary to find.
 */
export function splitConcatenatedComments(text: string): string[] {
  return text
    .replace(PLACEHOLDERS, ' ')
    .split(/(\[(?:removed|deleted)\])/i)
    .flatMap((part) => (/^\[(?:removed|deleted)\]$/i.test(part) ? [part] : part.split(/(?<=[\p{Ll}\p{N})\]"'’][.!?]+)(?=\p{Lu})/u)))
    .map((s) => s.replace(/[ \t]+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses JSONL text records. Lines in the `{user, text}` shape are split into comments, each with an id
 * "<user>#<n>". With `user`, only that user's lines are kept; a file holding several users requires it.
 */
export function parseTextsJsonl(content: string, options: { user?: string; source?: string } = {}): TextRecord[] {
  const source = options.source ?? 'texts';
  const records: TextRecord[] = [];
  const users = new Set<string>();
  content.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new PersonaInputError(`${source} line ${i + 1} is not JSON: write one {"text": ...} object per line`);
    }
    const r = TextRecord.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new PersonaInputError(`${source} line ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message} (expected {"community"?, "text", "score"?})`);
    }
    const rec = r.data;
    if (rec.user === undefined) {
      records.push(rec);
      return;
    }
    users.add(rec.user);
    if (options.user !== undefined && rec.user !== options.user) return;
    splitConcatenatedComments(rec.text).forEach((text, n) =>
      records.push({ ...(rec.community ? { community: rec.community } : {}), text, id: `${rec.user}#${n + 1}`, user: rec.user }),
    );
  });
  if (options.user !== undefined && !users.has(options.user)) {
    throw new PersonaInputError(`${source} has no lines for user "${options.user}": check the id (the "user" field)`);
  }
  if (options.user === undefined && users.size > 1) {
    throw new PersonaInputError(`${source} holds texts of ${users.size} users: choose one with --user ID`);
  }
  return records;
}

/** One line of a community descriptions file (the vendored communities.jsonl shape); only `name` is required. */
export const CommunityDescriptionRecord = z.object({
  name: z.string().min(1),
  title: z.string().nullish(),
  description: z.string().nullish(),
  categories: z.array(z.string()).nullish(),
  over18: z.boolean().nullish(),
});

/**
 * Parses community descriptions JSONL. With `only`, lines for other communities are skipped before
 * validation (the vendored file has 11k lines; a persona needs a handful).
 */
export function parseCommunityDescriptionsJsonl(
  content: string,
  options: { only?: ReadonlySet<string>; source?: string } = {},
): z.output<typeof CommunityDescriptionRecord>[] {
  const source = options.source ?? 'descriptions';
  const out: z.output<typeof CommunityDescriptionRecord>[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new PersonaInputError(`${source} line ${i + 1} is not JSON: write one {"name", "title"?, "description"?} object per line`);
    }
    const name = (json as { name?: unknown } | null)?.name;
    if (options.only && typeof name === 'string' && !options.only.has(normalizeCommunityName(name))) return;
    const r = CommunityDescriptionRecord.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new PersonaInputError(`${source} line ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
    }
    out.push(r.data);
  });
  return out;
}

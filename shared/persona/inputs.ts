/**
 * Parsing of the texts a persona is built from. Two JSONL shapes are accepted, one object per line:
 * - `{community?, text, score?, id?}` — one post or comment, optionally with its community and score;
 * - `{user, text}` — the vendored `models/data/reddit/user_texts.jsonl` shape: ALL of one user's comments
 *   concatenated without separators. These are split back into comments (see splitConcatenatedComments)
 *   and have no community; the pipeline assigns them (see assign.ts).
 * Pure string-in, records-out, so the server, the CLI and the extension share it.
 */
import { z } from 'zod';
import { normalizeCommunityName } from '../community/name.ts';
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
 * Splits one user's concatenated comments ("…for my arcana.Now, I'm wondering…") back into pieces: at a
 * sentence end followed directly by a capital letter with no space, at blank lines (a long post becomes
 * its paragraphs: smaller units to rank, assign and sample), and around inline [removed] / [deleted]
 * markers (kept as their own items so they are counted as removed). Comments that ended without
 * punctuation stay glued to the next one: there is no reliable boundary to find.
 */
export function splitConcatenatedComments(text: string): string[] {
  return text
    .replace(PLACEHOLDERS, ' ')
    .split(/(\[(?:removed|deleted)\])/i)
    .flatMap((part) => (/^\[(?:removed|deleted)\]$/i.test(part) ? [part] : part.split(/(?<=[\p{Ll}\p{N})\]"'’][.!?]+)(?=\p{Lu})|\n[ \t]*\n\s*/u)))
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
  for (const rec of jsonlRecords(content, source, TextRecord, '{"community"?, "text", "score"?}')) {
    if (rec.user === undefined) {
      records.push(rec);
      continue;
    }
    users.add(rec.user);
    if (options.user !== undefined && rec.user !== options.user) continue;
    splitConcatenatedComments(rec.text).forEach((text, n) =>
      records.push({ ...(rec.community ? { community: rec.community } : {}), text, id: `${rec.user}#${n + 1}`, user: rec.user }),
    );
  }
  if (options.user !== undefined && !users.has(options.user)) {
    throw new PersonaInputError(`${source} has no lines for user "${options.user}": check the id (the "user" field)`);
  }
  if (options.user === undefined && users.size > 1) {
    throw new PersonaInputError(`${source} holds texts of ${users.size} users: choose one with --user ID`);
  }
  return records;
}

/**
 * The non-blank lines of JSONL `content`, each parsed and validated; errors name the source, the line and
 * the expected shape. `keep` filters on the raw JSON before validation (cheap skipping of unwanted lines).
 */
function* jsonlRecords<S extends z.ZodType>(
  content: string,
  source: string,
  schema: S,
  expected: string,
  keep: (json: unknown) => boolean = () => true,
): Generator<z.output<S>> {
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new PersonaInputError(`${source} line ${i + 1} is not JSON: write one ${expected} object per line`);
    }
    if (!keep(json)) continue;
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new PersonaInputError(`${source} line ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message} (expected ${expected})`);
    }
    yield r.data;
  }
}

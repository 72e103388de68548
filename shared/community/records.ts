import { z } from 'zod';
import { InputError } from '../errors.ts';
import { normalizeCommunityName } from './name.ts';

/**
 * One line of a communities.jsonl file: what is known about a community. Only the name is required; the
 * known fields are typed, and any other field is kept as it is (nothing in the file is dropped on reading).
 */
export const CommunityRecord = z.looseObject({
  name: z.string().trim().min(1, 'name is empty'),
  title: z.string().nullish(),
  description: z.string().nullish(),
  categories: z.array(z.string()).nullish(),
  sidebar: z.string().nullish(),
  over18: z.boolean().nullish(),
  subscribers: z.number().nullish(),
});
export type CommunityRecord = z.infer<typeof CommunityRecord>;

/** Records keyed by normalised name; each keeps its original spelling (`name`, the display label) and every field. */
export interface CommunityTable {
  readonly size: number;
  get(name: string): CommunityRecord | undefined;
  /** The display spelling of a community the table knows (its record's `name`). */
  label(name: string): string | undefined;
  /** Normalised names of the communities flagged `over18`. */
  nsfw(): string[];
  records(): CommunityRecord[];
  /** The records of these communities (by any spelling), in the order given; unknown names are skipped. */
  pick(names: Iterable<string>): CommunityRecord[];
}

const EXPECTED = 'write one {"name": "...", "title"?, "description"?, "categories"?, "over18"?} object per line';

/**
 * The one reader of communities.jsonl. A file that is not JSONL of community records (binary data, another
 * format, a line that is not a record) is an InputError naming the file, the line and the fix: a file given
 * by mistake never passes silently as "no descriptions". A name listed twice keeps its first record.
 */
export function parseCommunityRecords(content: string, source: string): CommunityTable {
  const byKey = new Map<string, CommunityRecord>();
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    if (/[\u0000\uFFFD]/.test(line)) throw new InputError(`${source} line ${i + 1}: binary data, not UTF-8 text; ${EXPECTED}`);
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new InputError(`${source} line ${i + 1}: not JSON; ${EXPECTED}`);
    }
    const r = CommunityRecord.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new InputError(`${source} line ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message}; ${EXPECTED}`);
    }
    const key = normalizeCommunityName(r.data.name);
    if (!byKey.has(key)) byKey.set(key, r.data);
  }
  if (byKey.size === 0) throw new InputError(`${source}: no community records; ${EXPECTED}`);
  return communityTable(byKey);
}

/** A table over records already in memory (a bundled table, a test). */
export function communityTableOf(records: Iterable<CommunityRecord>): CommunityTable {
  const byKey = new Map<string, CommunityRecord>();
  for (const r of records) {
    const key = normalizeCommunityName(r.name);
    if (!byKey.has(key)) byKey.set(key, r);
  }
  return communityTable(byKey);
}

function communityTable(byKey: Map<string, CommunityRecord>): CommunityTable {
  return {
    size: byKey.size,
    get: (name) => byKey.get(normalizeCommunityName(name)),
    label: (name) => byKey.get(normalizeCommunityName(name))?.name,
    nsfw: () => [...byKey].filter(([, r]) => r.over18 === true).map(([k]) => k),
    records: () => [...byKey.values()],
    pick: (names) => [...new Set([...names].map(normalizeCommunityName))].flatMap((k) => byKey.get(k) ?? []),
  };
}

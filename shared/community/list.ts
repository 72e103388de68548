import { InputError } from '../errors.ts';
import { CommunityName, RedditCommunityName, type CommunityActivity } from '../schemas/community.ts';

/**
 * The one grammar for a community list as people write it — the CLI's `--communities`, the extension's
 * pasted list, the dashboard's playground box. One entry per line, or several on a line separated by
 * commas or semicolons:
 *   analog                    a bare name counts once (one comment)
 *   analog:40   analog 40   analog = 40   analog - 40   analog,40        a count is comments
 *   analog:3/40   analog 3 40                                            posts, then comments
 *   analog 3 posts 40 comments   knitting 5p   r/analog 1,200            units; thousands separators
 *   r/analog  /r/Analog  analog                                          the same community
 *   # a comment                                                           ignored
 * A repeated community is merged (its counts added up) with a note; bad entries are reported with their
 * line and the fix, and the good ones are still used. Names follow Reddit's rule unless `names: 'any'`
 * (other user–community data: Last.fm artists), where a name may hold spaces before a ':' or '='.
 */
export interface ListProblem {
  line: number;
  /** The whole line as written. */
  text: string;
  /** The entry of the line the problem is about (the line itself when it holds one). */
  entry?: string;
  message: string;
}

export interface CommunityListParse {
  communities: CommunityActivity[];
  errors: ListProblem[];
  /** Entries that were fine but changed something (a repeated community merged). */
  notes: ListProblem[];
}

export interface ListOptions {
  /** `reddit` (default): letters, digits, _ . - only. `any`: any name of 1 to 100 characters without control characters (CommunityName). */
  names?: 'reddit' | 'any';
}

const COUNT = String.raw`(\d[\d,_]*)\s*(posts?|p|comments?|c)?`;
const SEP = String.raw`(?:\s*[:=,]\s*|\s+-\s*|\s+)`;
const ENTRY = new RegExp(String.raw`^([^\s:=,]+)(?:${SEP}${COUNT}(?:(?:\s+|\s*/\s*)${COUNT})?)?\s*$`, 'i');
/** With `names: 'any'`: everything before the first ':' or '=' is the name. */
const NAMED_ENTRY = new RegExp(String.raw`^([^:=]+?)\s*[:=]\s*${COUNT}(?:(?:\s+|\s*/\s*)${COUNT})?\s*$`, 'i');

const count = (raw: string | undefined) => (raw ? Number(raw.replace(/[,_]/g, '')) : 0);
const isPosts = (unit: string | undefined) => unit !== undefined && /^p/i.test(unit);

function parseName(raw: string, names: 'reddit' | 'any'): { name: string } | { error: string } {
  const r = (names === 'reddit' ? RedditCommunityName : CommunityName).safeParse(raw);
  return r.success ? { name: r.data } : { error: `"${raw}": ${r.error.issues[0]?.message ?? 'not a community name'}` };
}

function parseEntry(raw: string, names: 'reddit' | 'any'): { activity: CommunityActivity } | { error: string } {
  const text = raw.trim().replace(/^[-*•]\s+/, '');
  const m = ENTRY.exec(text) ?? (names === 'any' ? NAMED_ENTRY.exec(text) : null);
  if (!m) {
    if (names === 'any' && !/[:=]/.test(text) && !/\d\s*$/.test(text)) {
      const parsed = parseName(text, names);
      return 'error' in parsed ? parsed : { activity: { name: parsed.name, posts: 0, comments: 1 } };
    }
    if (/^\S+\s+\S+/.test(text) && !/\d/.test(text.split(/\s+/)[1] ?? '')) {
      return { error: `community names have no spaces: write "${text.split(/\s+/)[0]} 12" (name, then a count)` };
    }
    return { error: 'expected a community and a count, e.g. "r/analog 40", "photography: 12" or "analog:3/40" (posts/comments)' };
  }
  const [, rawName, a, aUnit, b, bUnit] = m;
  const parsed = parseName(rawName!, names);
  if ('error' in parsed) return parsed;
  let posts = 0;
  let comments = 0;
  if (a === undefined) comments = 1;
  else if (b === undefined) isPosts(aUnit) ? (posts = count(a)) : (comments = count(a));
  else if (aUnit === undefined && bUnit === undefined) {
    posts = count(a); // two bare counts: posts, then comments ("analog:3/40", "analog 3 40")
    comments = count(b);
  } else {
    if (isPosts(aUnit) === isPosts(bUnit) || (aUnit === undefined) !== (bUnit === undefined)) {
      return { error: 'give posts and comments once each, e.g. "analog 3 posts 40 comments" or "analog:3/40"' };
    }
    isPosts(aUnit) ? ((posts = count(a)), (comments = count(b))) : ((comments = count(a)), (posts = count(b)));
  }
  if (posts + comments < 1) return { error: 'the count is 0: give how many times you posted or commented (1 or more)' };
  if (!Number.isSafeInteger(posts + comments)) return { error: 'the count is too large' };
  return { activity: { name: parsed.name, posts, comments } };
}

/** A line's entries: split on , and ; — except a comma inside a number ("1,200") or before a bare count ("woodworking,7"). */
function entriesOf(text: string): string[] {
  const parts: string[] = [];
  for (const part of text.split(/[,;]/)) {
    if (parts.length && /^\d[\d_]*$/.test(part.trim()) && !/[;]$/.test(parts.at(-1)!)) parts[parts.length - 1] += `,${part}`;
    else parts.push(part);
  }
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function parseCommunityList(input: string, options: ListOptions = {}): CommunityListParse {
  const names = options.names ?? 'reddit';
  const byName = new Map<string, CommunityActivity>();
  const errors: ListProblem[] = [];
  const notes: ListProblem[] = [];
  input.split(/\r?\n/).forEach((rawLine, i) => {
    const line = i + 1;
    const text = rawLine.replace(/#.*$/, '').trim();
    if (!text) return;
    for (const entry of entriesOf(text)) {
      const result = parseEntry(entry, names);
      if ('error' in result) {
        errors.push({ line, text: rawLine.trim(), entry, message: result.error });
        continue;
      }
      const prev = byName.get(result.activity.name);
      if (prev) {
        prev.posts += result.activity.posts;
        prev.comments += result.activity.comments;
        notes.push({ line, text: rawLine.trim(), entry, message: `"${prev.name}" was listed before; the counts were added up` });
      } else byName.set(result.activity.name, { ...result.activity });
    }
  });
  return { communities: [...byName.values()], errors, notes };
}

/**
 * The same grammar where one line must be right as a whole (a command-line flag): the first bad entry, a
 * repeated community or an empty list is an InputError naming the entry (field `communities`).
 */
export function parseCommunitySpec(spec: string, options: ListOptions = {}): CommunityActivity[] {
  const { communities, errors, notes } = parseCommunityList(spec, options);
  const field = { field: 'communities' };
  const bad = errors[0];
  if (bad) throw new InputError(`cannot read community entry "${bad.entry ?? bad.text}": ${bad.message}`, field);
  const twice = notes[0];
  if (twice) throw new InputError(`"${twice.entry ?? twice.text}": the community appears twice; merge its counts into one entry`, field);
  if (communities.length === 0) throw new InputError('no communities given; write them as "name:count,name:count" (e.g. "analog:40,photography:3")', field);
  return communities;
}

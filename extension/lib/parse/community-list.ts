import { CommunityName, type CommunityActivity } from '../../../shared/schemas/community.ts';

/**
 * Parses a pasted list of communities, one per line, as people write them:
 *   r/analog 40        photography: 12        /r/Cooking - 3        analog
 *   r/analog 3 posts 40 comments               analog:40, cooking:3   (several on one line)
 * A bare count is read as comments (the most common activity); a name without a count counts once.
 * Bad lines are reported with their line number and a fix, and the good lines are still used.
 */
export interface ParseProblem {
  line: number;
  text: string;
  message: string;
}

export interface CommunityListParse {
  communities: CommunityActivity[];
  errors: ParseProblem[];
  /** Lines that were fine but changed something (e.g. a repeated community merged). */
  notes: ParseProblem[];
}

const COUNT = String.raw`(\d[\d,_]*)\s*(posts?|p|comments?|c)?`;
const ENTRY = new RegExp(
  String.raw`^([^\s:=,]+)(?:(?:\s*[:=,]\s*|\s+-\s*|\s+)${COUNT}(?:\s+${COUNT})?)?\s*$`,
  'i',
);

function count(raw: string | undefined): number {
  return raw ? Number(raw.replace(/[,_]/g, '')) : 0;
}

function parseEntry(raw: string): { activity: CommunityActivity } | { error: string } {
  const text = raw.trim().replace(/^[-*•]\s+/, '');
  const m = ENTRY.exec(text);
  if (!m) {
    if (/^\S+\s+\S+/.test(text) && !/\d/.test(text.split(/\s+/)[1] ?? '')) {
      return { error: `community names have no spaces: write "${text.split(/\s+/)[0]} 12" (name, then a count)` };
    }
    return { error: 'expected a community and a count, e.g. "r/analog 40" or "photography: 12"' };
  }
  const [, rawName, a, aUnit, b, bUnit] = m;
  const name = CommunityName.safeParse(rawName);
  if (!name.success) return { error: `"${rawName}": ${name.error.issues[0]?.message ?? 'not a community name'}` };
  const isPosts = (u: string | undefined) => u !== undefined && /^p/i.test(u);
  let posts = 0;
  let comments = 0;
  if (a === undefined) comments = 1;
  else {
    (isPosts(aUnit) ? (posts = count(a)) : (comments = count(a)));
    if (b !== undefined) {
      if (isPosts(bUnit) === isPosts(aUnit)) return { error: 'give posts and comments once each, e.g. "analog 3 posts 40 comments"' };
      isPosts(bUnit) ? (posts = count(b)) : (comments = count(b));
    }
  }
  if (posts + comments < 1) return { error: 'the count is 0: give how many times you posted or commented (1 or more)' };
  if (!Number.isSafeInteger(posts + comments)) return { error: 'the count is too large' };
  return { activity: { name: name.data, posts, comments } };
}

export function parseCommunityList(input: string): CommunityListParse {
  const byName = new Map<string, CommunityActivity>();
  const errors: ParseProblem[] = [];
  const notes: ParseProblem[] = [];
  input.split(/\r?\n/).forEach((rawLine, i) => {
    const line = i + 1;
    const text = rawLine.replace(/#.*$/, '').trim();
    if (!text) return;
    // "a:1, b:2" on one line is the CLI's format; a lone comma is a thousands separator ("analog 1,200").
    const parts = /[:=]\s*\d[\d_]*\s*[,;]\s*\S/.test(text) || /;/.test(text) ? text.split(/[,;]/) : [text];
    for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
      const result = parseEntry(part);
      if ('error' in result) {
        errors.push({ line, text: rawLine.trim(), message: result.error });
        continue;
      }
      const prev = byName.get(result.activity.name);
      if (prev) {
        prev.posts += result.activity.posts;
        prev.comments += result.activity.comments;
        notes.push({ line, text: rawLine.trim(), message: `"${prev.name}" was listed before; the counts were added up` });
      } else byName.set(result.activity.name, { ...result.activity });
    }
  });
  return { communities: [...byName.values()], errors, notes };
}

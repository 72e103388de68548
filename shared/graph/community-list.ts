import { CommunityList, type CommunityActivity } from '../schemas/community.ts';

/**
 * Parses the command-line / form spelling of a community list, "analog:40,r/photography:3,askreddit",
 * into validated activity (a bare name counts as one comment; "name:posts/comments" sets both).
 * Throws an Error whose one-line message names the bad entry and the expected spelling.
 */
export function parseCommunitySpec(spec: string): CommunityActivity[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw new Error('no communities given; write them as "name:count,name:count" (e.g. "analog:40,photography:3")');
  const raw = entries.map((entry) => {
    const m = /^([^:]+?)(?::(\d+)(?:\/(\d+))?)?$/.exec(entry);
    if (!m) throw new Error(`cannot read community entry "${entry}"; write "name", "name:count" or "name:posts/comments"`);
    const [, name, a, b] = m;
    if (b !== undefined) return { name: name!, posts: Number(a), comments: Number(b) };
    return { name: name!, posts: 0, comments: a === undefined ? 1 : Number(a) };
  });
  return parseCommunityList(raw);
}

/** Validates a community list (names normalised, duplicates rejected) with a one-line error. */
export function parseCommunityList(raw: unknown): CommunityActivity[] {
  const result = CommunityList.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `community ${issue.path.map(String).join('.')}: ` : '';
  throw new Error(`${where}${issue.message}`);
}

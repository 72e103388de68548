/**
 * Assigning texts of unknown community (the vendored user_texts.jsonl has none) to one of the user's
 * communities by what they talk about: a text goes to the community whose name and description share the
 * most distinctive words with it. Name words weigh double (a comment saying "dovetail" and "woodworking"
 * belongs in r/woodworking); words found in several of the user's community profiles weigh less. A text
 * that reaches no community with a score of at least 2 — one name word, or two description words — stays
 * unassigned, and only gets budget the communities leave over.
 */
import type { CommunityRecord } from '../community/records.ts';
import { normalizeCommunityName } from '../community/name.ts';
import type { CandidateText } from './context.ts';
import { contentWordSet } from './similarity.ts';

/** What verbalization uses of a community's record (a communities.jsonl line, `CommunityRecord`). */
export type CommunityDescription = Pick<CommunityRecord, 'name' | 'title' | 'description' | 'categories' | 'over18'>;

/** Words that describe every community and so tell none apart. */
const GENERIC = new Set(
  'reddit subreddit sub subs community communities place post posts posting discussion discussions welcome related share anything everything about all official new people fans fan rules'.split(' '),
);

export const ASSIGN_MIN_SCORE = 2;

/** "RocketLeagueExchange" → rocket league exchange; "Pathfinder_RPG" → pathfinder rpg; plus the whole name. */
export function nameWords(name: string): Set<string> {
  const spaced = name.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2').replace(/[_\-.]+/g, ' ');
  const set = contentWordSet(`${spaced} ${name}`);
  for (const w of [...set]) if (w.length < 3 || GENERIC.has(w)) set.delete(w);
  return set;
}

function descriptionWords(d: CommunityDescription | undefined): Set<string> {
  if (!d) return new Set();
  const set = contentWordSet([d.title, d.description, ...(d.categories ?? [])].filter(Boolean).join(' '));
  for (const w of [...set]) if (w.length < 3 || GENERIC.has(w)) set.delete(w);
  return set;
}

export interface Assignment {
  byCommunity: Map<string, CandidateText[]>;
  unassigned: CandidateText[];
}

/**
 * `communities` are normalised names in importance order (ties go to the earlier one); `descriptions`
 * may hold any communities, matched by normalised name.
 */
export function assignTexts(
  texts: readonly CandidateText[],
  communities: readonly string[],
  descriptions: readonly CommunityDescription[] = [],
): Assignment {
  const info = new Map(descriptions.map((d) => [normalizeCommunityName(d.name), d]));
  const profiles = communities.map((name) => {
    const d = info.get(name);
    const own = nameWords(d?.name ?? name);
    const desc = descriptionWords(d);
    for (const w of own) desc.delete(w);
    return { name, own, desc };
  });
  // How many of this user's community profiles mention a word: shared words separate nothing.
  const spread = new Map<string, number>();
  for (const p of profiles) for (const w of new Set([...p.own, ...p.desc])) spread.set(w, (spread.get(w) ?? 0) + 1);

  const byCommunity = new Map<string, CandidateText[]>(communities.map((c) => [c, []]));
  const unassigned: CandidateText[] = [];
  for (const t of texts) {
    const words = contentWordSet(t.text);
    let best: string | undefined;
    let bestScore = 0;
    for (const p of profiles) {
      let score = 0;
      for (const w of words) {
        if (p.own.has(w)) score += 2 / spread.get(w)!;
        else if (p.desc.has(w)) score += 1 / spread.get(w)!;
      }
      if (score > bestScore) {
        best = p.name;
        bestScore = score;
      }
    }
    if (best !== undefined && bestScore >= ASSIGN_MIN_SCORE) byCommunity.get(best)!.push(t);
    else unassigned.push(t);
  }
  return { byCommunity, unassigned };
}

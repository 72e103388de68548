/**
 * A community name as people write it ("r/analog", "/r/Analog", "analog", "Guns N'  Roses") normalised to
 * the key every table and vocabulary uses: no r/ prefix, runs of spaces as one, lower case (names match
 * case-insensitively). The spelling as written is kept beside the key as the display label.
 */
export function normalizeCommunityName(name: string): string {
  return name.trim().replace(/^\/?r\//i, '').replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Reddit's rule for subreddit names (letters, digits, _ . -). It applies to Reddit sources — exports,
 * Pushshift / Arctic-Shift dumps, pasted subreddit lists — and not to other user–community data (Last.fm
 * artists have spaces, apostrophes, slashes).
 */
export const REDDIT_NAME = /^[\p{L}\p{N}_.-]+$/u;
/** The same rule as a regular expression source for SQL (DuckDB's regexp_matches). */
export const REDDIT_NAME_SQL = '^[\\p{L}\\p{N}_.-]+$';
export const REDDIT_NAME_HINT = 'community names use letters, digits, _ . - only (e.g. "analog")';

/**
 * How a community is written for people and for the LLM: "r/analog" for a name that can be a subreddit,
 * the name as it is otherwise ("Guns N' Roses" from Last.fm can never be one, and "r/Guns N' Roses" would
 * tell the persona writer it is a Reddit forum). `reddit` / `other` say the source outright where the caller
 * knows it; `auto` (the default) decides by Reddit's name rule.
 */
export type CommunitySource = 'reddit' | 'other' | 'auto';

export function communityDisplayName(name: string, source: CommunitySource = 'auto'): string {
  const bare = name.trim().replace(/^\/?r\//i, '');
  const reddit = source === 'reddit' || (source === 'auto' && REDDIT_NAME.test(bare));
  return reddit ? `r/${bare}` : bare;
}

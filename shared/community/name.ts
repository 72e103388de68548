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

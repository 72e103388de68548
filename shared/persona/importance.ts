/**
 * Per-community importance for one user: the input of the context builder. `resolveImportance` is the one
 * rule every caller (CLI, server, extension, bench) goes through: explicit weights → the encoder's attention
 * → TF-IDF against a reference population → activity share, the first that is available.
 */
import { type CommunityActivity } from '../schemas/community.ts';
import { normalizeCommunityName } from '../community/name.ts';

/** Raw (unnormalised, non-negative) importance per normalised community name. */
export type Importance = ReadonlyMap<string, number>;

/**
 * Anything that turns a community list into importance: attention from the encoder, TF-IDF, … Keys are the
 * normalised names of `activity` (CommunityActivity.name); names it leaves out count as 0, extra names are
 * ignored.
 */
export type ImportanceScorer = (activity: readonly CommunityActivity[]) => Importance | Promise<Importance>;

/** How many users of a reference population take part in each community (its document frequency). */
export interface DocumentFrequencies {
  users: number;
  df: ReadonlyMap<string, number>;
}

/** Counts distinct users per community from user–community edges (names normalised). */
export function documentFrequencies(edges: Iterable<{ user: string; community: string }>): DocumentFrequencies {
  const members = new Map<string, Set<string>>();
  const users = new Set<string>();
  for (const { user, community } of edges) {
    const name = normalizeCommunityName(community);
    users.add(user);
    let set = members.get(name);
    if (!set) members.set(name, (set = new Set()));
    set.add(user);
  }
  return { users: users.size, df: new Map([...members].map(([name, set]) => [name, set.size])) };
}

/**
 * TF-IDF importance: tf = the community's share of the user's activity (posts + comments),
 * idf = ln((1 + N) / (1 + df)) + 1 (smoothed, as scikit-learn does, so a community everyone joins still
 * weighs something and an unknown one gets the highest idf). Frequent-for-this-user, rare-overall
 * communities come first: r/analog beats r/AskReddit at equal activity.
 */
export function tfidfImportance(activity: readonly CommunityActivity[], table: DocumentFrequencies): Map<string, number> {
  const total = activity.reduce((s, a) => s + a.posts + a.comments, 0);
  const scores = new Map<string, number>();
  for (const a of activity) {
    const tf = total > 0 ? (a.posts + a.comments) / total : 0;
    const idf = Math.log((1 + table.users) / (1 + (table.df.get(a.name) ?? 0))) + 1;
    scores.set(a.name, tf * idf);
  }
  return scores;
}

export function createTfidfScorer(table: DocumentFrequencies): ImportanceScorer {
  return (activity) => tfidfImportance(activity, table);
}

/** Activity share alone (no reference population): the fallback when nothing better is available. */
export const activityScorer: ImportanceScorer = (activity) =>
  new Map(activity.map((a) => [a.name, a.posts + a.comments]));

/** Where a user's importance came from, in the order `resolveImportance` tries them. */
export const IMPORTANCE_SOURCES = ['weights', 'encoder', 'tfidf', 'activity'] as const;
export type ImportanceSource = (typeof IMPORTANCE_SOURCES)[number];

/** What a caller has at hand; any may be missing. */
export interface ImportanceInputs {
  /** Explicit per-community weights (a ranking already on screen, an API request's `weights`). */
  weights?: readonly { name: string; weight: number }[];
  /**
   * The encoder's attention (mean over layers and heads). It attends over the user's 50 most active
   * communities (the encoder's neighbourhood, as many as verbalization gives budget to); a community
   * beyond them has no attention, and verbalization says which ones it left out.
   */
  attention?: ImportanceScorer;
  /** The reference population for TF-IDF (the encoder's training graph, or the vendored Reddit sample). */
  tfidf?: DocumentFrequencies;
}

/** The one importance rule: the first available of weights → encoder attention → TF-IDF → activity share. */
export function resolveImportance(inputs: ImportanceInputs = {}): { source: ImportanceSource; scorer: ImportanceScorer } {
  if (inputs.weights?.length) {
    const map = new Map(inputs.weights.map((w) => [normalizeCommunityName(w.name), w.weight]));
    return { source: 'weights', scorer: () => map };
  }
  if (inputs.attention) return { source: 'encoder', scorer: inputs.attention };
  if (inputs.tfidf) return { source: 'tfidf', scorer: createTfidfScorer(inputs.tfidf) };
  return { source: 'activity', scorer: activityScorer };
}

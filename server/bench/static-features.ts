import { normalizeTerm, rawWords, STOPWORDS } from '../../shared/rewrite/terms.ts';
import type { BenchUser } from '../datasets/types.ts';

/**
 * The static-style baseline (ViPer-like, context-insensitive): every prompt of a user gets the same list
 * of "liked features" appended, whatever the prompt is about. ViPer has a VLM read the user's liked images;
 * without images we derive the list deterministically from text:
 *
 * - from the user's history prompts: content words (stopwords out, plurals folded) scored by TF-IDF,
 *   tf = the word's share of the user's history words, idf = ln((1 + N) / (1 + df)) + 1 over the N users
 *   of the dataset; words in more than half of the users' histories are dropped (the dataset's template
 *   words such as "cinematic scene inspired by" in MovieLens), as are numbers and words under 3 letters;
 * - for a user without history, from their persona, by frequency alone.
 * The top FEATURES_PER_USER words, ties broken alphabetically, are the list.
 */
export const FEATURES_PER_USER = 5;
/** A word in more users' histories than this share says nothing about one user (scikit-learn's max_df). */
const MAX_DF_SHARE = 0.5;
/** Below this many users the max-df rule would drop everything a small dataset has in common. */
const MIN_USERS_FOR_MAX_DF = 4;

const usable = (term: string) => term.length >= 3 && !/\d/.test(term);

export class StaticFeatures {
  private readonly df = new Map<string, number>();
  private readonly users: number;
  /** Word → term: a dataset repeats the same few thousand words, and folding plurals is the slow part. */
  private readonly normal = new Map<string, string>();

  constructor(allUsers: readonly BenchUser[]) {
    this.users = allUsers.length;
    for (const u of allUsers) {
      for (const t of new Set(u.history.flatMap((p) => this.terms(p)))) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    }
  }

  /** Users share prompts (MovieLens: the same movies), so each distinct prompt is split once. */
  private readonly split = new Map<string, string[]>();

  /** The shared rewrite pipeline's content terms (stopwords out, plurals folded), memoised per word and prompt. */
  private terms(text: string): string[] {
    const known = this.split.get(text);
    if (known) return known;
    const out: string[] = [];
    for (const w of rawWords(text)) {
      let t = this.normal.get(w);
      if (t === undefined) this.normal.set(w, (t = STOPWORDS.has(w.toLowerCase()) ? '' : normalizeTerm(w)));
      if (t) out.push(t);
    }
    this.split.set(text, out);
    return out;
  }

  /** The fixed feature list of one user (empty when there is neither history nor persona). */
  featuresOf(user: Pick<BenchUser, 'history' | 'persona'>, count = FEATURES_PER_USER): string[] {
    const fromHistory = user.history.length > 0;
    const terms = (fromHistory ? user.history.flatMap((p) => this.terms(p)) : this.terms(user.persona ?? '')).filter(usable);
    if (terms.length === 0) return [];
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1 / terms.length);
    const maxDf = this.users >= MIN_USERS_FOR_MAX_DF ? MAX_DF_SHARE * this.users : Infinity;
    const scored: [string, number][] = [];
    for (const [t, f] of tf) {
      if (!fromHistory) {
        scored.push([t, f]);
        continue;
      }
      const df = this.df.get(t) ?? 0;
      if (df > maxDf) continue;
      scored.push([t, f * (Math.log((1 + this.users) / (1 + df)) + 1)]);
    }
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return scored.slice(0, count).map(([t]) => t);
  }
}

/** The prompt the static baseline sends to the engine: the user's prompt, then the fixed list. */
export const withFeatures = (prompt: string, features: readonly string[]): string => (features.length ? `${prompt}, ${features.join(', ')}` : prompt);

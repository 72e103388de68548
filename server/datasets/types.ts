/**
 * The shape every dataset loader produces, so a benchmark run can treat MovieLens, PIP, ZIP-Bench and
 * RapidData alike: per user, earlier prompts (the few-shot / retrieval history), the prompts to
 * personalise (queries), and whatever describes the user (a persona, demographics, reference images).
 */
export interface BenchUser {
  id: string;
  /** Earlier prompts of the user, oldest first (few-shot examples, retrieval pool, reference set). */
  history: string[];
  /** Held-out prompts the methods rewrite and the engines render. */
  queries: string[];
  /** A natural-language persona, where the dataset has one (ZIP-Bench). */
  persona?: string;
  /** Demographic attributes (age, gender, country, language, profession), where known. */
  demographics?: Record<string, string>;
  /** The user's own images (paths or URLs), the reference set for CMMD where the dataset has one. */
  referenceImages?: string[];
}

export interface Dataset {
  name: string;
  users: BenchUser[];
  /** Where it was read from. */
  source: string;
}

import type { CommunityActivity } from '../../shared/schemas/community.ts';

/** One post or comment of a user (dataset kind `communities`), as the persona pipeline takes it. */
export interface UserText {
  text: string;
  community?: string;
  score?: number;
  id?: string;
}

/**
 * The shape every dataset loader produces, so a benchmark run can treat MovieLens, PIP, ZIP-Bench,
 * RapidData and community lists alike: per user, earlier prompts (the few-shot / retrieval history),
 * the prompts to personalise (queries), and whatever describes the user (a persona, demographics,
 * communities and texts to mine a persona from, reference images).
 */
export interface BenchUser {
  id: string;
  /** Earlier prompts of the user, oldest first (few-shot examples, retrieval pool, reference set). */
  history: string[];
  /** Held-out prompts, as the user wrote them: what CLIPScore compares each image with. */
  queries: string[];
  /**
   * What the methods take as the user's prompt, one per query, where it differs from the query (PIP, as
   * Tailored Visions: the query shortened to under 10 words). Default: the queries themselves.
   */
  inputs?: string[];
  /**
   * PIP: where each input came from — `dataset` (the record's own short `query`), `rule` (shortQuery), or
   * `llm` (a benchmark's LLM shortening stage, `dataset.shorten: "llm"`, replaces the rule's).
   */
  inputSources?: ('dataset' | 'rule' | 'llm')[];
  /** A natural-language persona, where the dataset has one (ZIP-Bench). */
  persona?: string;
  /** Demographic attributes (age, gender, country, language, profession), where known. */
  demographics?: Record<string, string>;
  /** The user's own images (paths or URLs), the reference set for CMMD where the dataset has one. */
  referenceImages?: string[];
  /** Communities the user takes part in, with activity counts: a persona is mined from them. */
  communities?: CommunityActivity[];
  /** The user's own posts and comments, the evidence of a mined persona. */
  texts?: UserText[];
}

export interface Dataset {
  name: string;
  users: BenchUser[];
  /** Where it was read from. */
  source: string;
  /** How its prompts were made where that differs from the paper (shown in the report). */
  note?: string;
}

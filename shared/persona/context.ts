/**
 * The verbalization context builder — the paper's Algorithm 3 up to the LLM call, generic over where the
 * per-community importance came from (encoder attention or TF-IDF). Output: the text handed to the LLM
 * and, for every piece of it, where it came from.
 */
import { communityDisplayName } from '../community/name.ts';
import { countTokens, cutToTokens } from '../text/tokens.ts';
import { allocateBudget, DEFAULT_CONTEXT_BUDGET, MAX_CONTEXT_COMMUNITIES, type CommunityAllocation } from './budget.ts';
import { cleanEvidenceText, MIN_EVIDENCE_WORDS } from './clean.ts';
import { dedupeTexts, NEAR_DUPLICATE_THRESHOLD } from './dedupe.ts';
import { DIVERSITY_LAMBDA, rankRelevance, selectDiverse } from './diversity.ts';

/** One post or comment the user wrote, as a candidate for the context. */
export interface CandidateText {
  text: string;
  /** Engagement (e.g. Reddit score); higher ranks first. Texts without one rank after scored texts. */
  score?: number;
  /** The caller's id for the text, carried into the provenance. */
  id?: string;
}

export interface ContextOptions {
  /** Total token budget of the evidence texts (default 4,096). */
  budget?: number;
  /** At most this many communities get a share (default 50). */
  maxCommunities?: number;
  minWords?: number;
  nearDuplicateThreshold?: number;
  /** Relevance vs. novelty in the greedy sampler. */
  lambda?: number;
  /** One text never takes more than this many tokens (longer ones are cut at a sentence end). */
  maxItemTokens?: number;
  /** Only the best this-many texts per community are considered (keeps dedupe and sampling cheap). */
  maxCandidatesPerCommunity?: number;
  /**
   * Give budget that a community could not use (too few texts) to the others, best community first,
   * then to the texts with no community. The paper leaves it unused; on by default because a user's top
   * community often has no texts at all.
   */
  spillover?: boolean;
}

export interface ContextInput extends ContextOptions {
  /** Raw importance per community (normalised community names); any non-negative scale. */
  importance: ReadonlyMap<string, number>;
  /** The user's texts per community (same names as `importance`; others are ignored). */
  texts: ReadonlyMap<string, readonly CandidateText[]>;
  /** Texts whose community is unknown: they only receive spilled-over budget. */
  unassigned?: readonly CandidateText[];
}

/** Provenance of one text in the context. */
export interface ContextItem {
  community: string;
  text: string;
  tokens: number;
  score?: number;
  id?: string;
}

export interface ContextCommunity extends CommunityAllocation {
  /** Tokens of evidence actually taken (can exceed `budget` through spillover). */
  used: number;
  items: number;
  /** Usable texts after cleaning and dedupe. */
  candidates: number;
}

export interface VerbalizationContext {
  /** The evidence, grouped by community, as the LLM sees it. Empty when no text survived. */
  text: string;
  /** Real token count of `text` (evidence plus its small headings). */
  tokens: number;
  budget: number;
  communities: ContextCommunity[];
  items: ContextItem[];
  dropped: { removed: number; short: number; duplicate: number; overBudget: number };
}

/** The pseudo-community name under which texts of unknown community appear in the provenance. */
export const UNASSIGNED = '(unassigned)';

const DEFAULTS = {
  budget: DEFAULT_CONTEXT_BUDGET,
  maxCommunities: MAX_CONTEXT_COMMUNITIES,
  minWords: MIN_EVIDENCE_WORDS,
  nearDuplicateThreshold: NEAR_DUPLICATE_THRESHOLD,
  lambda: DIVERSITY_LAMBDA,
  maxItemTokens: 512,
  maxCandidatesPerCommunity: 200,
  spillover: true,
} satisfies Required<ContextOptions>;

/** A community's candidates during selection. */
interface Pool {
  name: string;
  candidates: ContextItem[];
  picked: number[];
  used: number;
}

export function buildVerbalizationContext(input: ContextInput): VerbalizationContext {
  const o = { ...DEFAULTS, ...definedOnly(input) };
  const allocations = allocateBudget(input.importance, o.budget, o.maxCommunities);
  const dropped = { removed: 0, short: 0, duplicate: 0, overBudget: 0 };

  // Clean and rank every pool, then dedupe across all of them in rank order so that a text posted in two
  // communities counts once, under the more important one.
  const ranked: { pool: string; item: ContextItem }[] = [];
  const poolNames = [...allocations.map((a) => a.name), UNASSIGNED];
  for (const name of poolNames) {
    const raw = name === UNASSIGNED ? (input.unassigned ?? []) : (input.texts.get(name) ?? []);
    const usable: ContextItem[] = [];
    for (const t of raw) {
      const cleaned = cleanEvidenceText(t.text, o.minWords);
      if (!cleaned.ok) {
        dropped[cleaned.reason]++;
        continue;
      }
      usable.push({ community: name, text: cleaned.text, tokens: 0, ...optional(t) });
    }
    usable.sort(byScoreDescending);
    dropped.overBudget += Math.max(0, usable.length - o.maxCandidatesPerCommunity);
    for (const item of usable.slice(0, o.maxCandidatesPerCommunity)) ranked.push({ pool: name, item });
  }
  const { kept, dropped: dupes } = dedupeTexts(ranked, (r) => r.item.text, o.nearDuplicateThreshold);
  dropped.duplicate += dupes.length;

  const budgetOf = new Map(allocations.map((a) => [a.name, a.budget]));
  const pools = poolNames.map((name): Pool => {
    const share = budgetOf.get(name) ?? 0;
    // Cut long texts to what the community can hold, so its best text is never skipped for length alone.
    const cap = share >= 32 ? Math.min(o.maxItemTokens, share) : o.maxItemTokens;
    const candidates = kept
      .filter((r) => r.pool === name)
      .map(({ item }) => {
        const cut = cutToTokens(item.text, cap, 'sentence');
        return { ...item, text: cut.text, tokens: cut.tokens };
      });
    return { name, candidates, picked: [], used: 0 };
  });

  const pick = (pool: Pool, budget: number) => {
    const open = pool.candidates.map((c, i) => ({ c, i })).filter(({ i }) => !pool.picked.includes(i));
    const relevance = rankRelevance(pool.candidates.length);
    const chosen = selectDiverse(
      open.map(({ c, i }) => ({ text: c.text, tokens: c.tokens, relevance: relevance[i]! })),
      { budget, lambda: o.lambda, alreadySelected: pool.picked.map((i) => pool.candidates[i]!.text) },
    );
    for (const j of chosen) {
      const { c, i } = open[j]!;
      pool.picked.push(i);
      pool.used += c.tokens;
    }
  };

  for (const pool of pools) pick(pool, budgetOf.get(pool.name) ?? 0);
  if (o.spillover) {
    for (const pool of pools) {
      const left = o.budget - pools.reduce((s, p) => s + p.used, 0);
      if (left <= 0) break;
      pick(pool, left);
    }
  }

  const items: ContextItem[] = [];
  const sections: string[] = [];
  for (const pool of pools) {
    if (pool.picked.length === 0) continue;
    const chosen = pool.picked.map((i) => pool.candidates[i]!);
    items.push(...chosen);
    const heading = pool.name === UNASSIGNED ? '### Other posts and comments' : `### ${communityDisplayName(pool.name)}`;
    sections.push([heading, ...chosen.map((c) => `- ${c.text}`)].join('\n'));
  }
  dropped.overBudget += pools.reduce((s, p) => s + p.candidates.length - p.picked.length, 0);

  const text = sections.join('\n\n');
  return {
    text,
    tokens: countTokens(text),
    budget: o.budget,
    communities: allocations.map((a) => {
      const pool = pools.find((p) => p.name === a.name)!;
      return { ...a, used: pool.used, items: pool.picked.length, candidates: pool.candidates.length };
    }),
    items,
    dropped,
  };
}

/** Higher score first; unscored texts after scored ones; equal keys keep their input order (stable sort). */
function byScoreDescending(a: { score?: number }, b: { score?: number }): number {
  if (a.score === b.score) return 0;
  if (a.score === undefined) return 1;
  if (b.score === undefined) return -1;
  return b.score - a.score;
}

function optional(t: CandidateText): { score?: number; id?: string } {
  return { ...(t.score !== undefined ? { score: t.score } : {}), ...(t.id !== undefined ? { id: t.id } : {}) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

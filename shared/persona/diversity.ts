import { contentWordSet, jaccard } from './similarity.ts';

/** Weight of relevance against novelty in the greedy sampler (1 = pure ranking, 0 = pure novelty). */
export const DIVERSITY_LAMBDA = 0.6;

export interface DiversityCandidate {
  text: string;
  tokens: number;
  /** In [0, 1]; higher is more worth including on its own. */
  relevance: number;
}

export interface DiversityOptions {
  /** Token budget for everything selected in this call. */
  budget: number;
  lambda?: number;
  /** Texts chosen earlier (another pass, another community): new picks should differ from them too. */
  alreadySelected?: readonly string[];
}

/**
 * Greedy maximal-marginal-relevance selection under a token budget: each step takes the candidate that
 * fits the remaining budget and maximises λ·relevance − (1−λ)·(highest content-word Jaccard with anything
 * already selected). Ties go to the earlier candidate, so the result is deterministic. Returns indices
 * into `candidates` in selection order.
 */
export function selectDiverse(candidates: readonly DiversityCandidate[], options: DiversityOptions): number[] {
  const lambda = options.lambda ?? DIVERSITY_LAMBDA;
  const sets = candidates.map((c) => contentWordSet(c.text));
  const chosenSets = (options.alreadySelected ?? []).map(contentWordSet);
  // maxSim[i]: the highest similarity of candidate i to anything chosen so far, updated incrementally.
  const maxSim = sets.map((s) => chosenSets.reduce((m, c) => Math.max(m, jaccard(s, c)), 0));
  const open = new Set(candidates.keys());
  const picked: number[] = [];
  let remaining = options.budget;
  for (;;) {
    let best = -1;
    let bestValue = -Infinity;
    for (const i of open) {
      const c = candidates[i]!;
      if (c.tokens > remaining) continue;
      const value = lambda * c.relevance - (1 - lambda) * maxSim[i]!;
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    }
    if (best < 0) break;
    open.delete(best);
    picked.push(best);
    remaining -= candidates[best]!.tokens;
    for (const i of open) maxSim[i] = Math.max(maxSim[i]!, jaccard(sets[i]!, sets[best]!));
  }
  return picked;
}

/** Rank-based relevance for a best-first list: 1 for the first, falling linearly towards 0. */
export function rankRelevance(count: number): number[] {
  return Array.from({ length: count }, (_, i) => 1 - i / count);
}

import { InputError } from '../errors.ts';
/**
 * Importance → token budget, the first half of the paper's Algorithm 3: keep the most important
 * communities, normalise their scores into a distribution, give each floor(B · weight) tokens.
 */

export const DEFAULT_CONTEXT_BUDGET = 4096;
export const MAX_CONTEXT_COMMUNITIES = 50;

export interface CommunityAllocation {
  name: string;
  /** Importance normalised over the kept communities (sums to 1). */
  weight: number;
  /** floor(budget · weight) tokens. */
  budget: number;
}

/** Importance scores that cannot be used (negative, not finite). */
export class ImportanceError extends InputError {}

/**
 * Ranks communities by raw importance (ties by name, so the order is stable), keeps at most
 * `maxCommunities`, renormalises over the kept ones (the budget of dropped communities is not wasted) and
 * splits `budget` tokens proportionally, rounding down. All-zero scores mean "no preference": uniform.
 */
export function allocateBudget(
  importance: ReadonlyMap<string, number>,
  budget = DEFAULT_CONTEXT_BUDGET,
  maxCommunities = MAX_CONTEXT_COMMUNITIES,
): CommunityAllocation[] {
  if (!Number.isInteger(budget) || budget < 0) throw new ImportanceError(`token budget must be a whole number ≥ 0, got ${budget}`);
  for (const [name, score] of importance) {
    if (!Number.isFinite(score) || score < 0) {
      throw new ImportanceError(`importance of community "${name}" must be a finite number ≥ 0, got ${score}`);
    }
  }
  const ranked = [...importance]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, Math.max(0, maxCommunities));
  const total = ranked.reduce((s, [, v]) => s + v, 0);
  return ranked.map(([name, score]) => {
    const weight = total > 0 ? score / total : 1 / ranked.length;
    // The epsilon keeps an exact share such as 4096 · 0.25 from landing a hair under its integer.
    return { name, weight, budget: Math.floor(budget * weight + 1e-9) };
  });
}

import { jaccard, shingles, words } from './similarity.ts';

/** Word 3-shingle Jaccard at or above which two texts count as the same text. */
export const NEAR_DUPLICATE_THRESHOLD = 0.7;

export interface DedupeResult<T> {
  kept: T[];
  /** Each dropped item with the kept item it duplicates. */
  dropped: { item: T; duplicateOf: T; kind: 'exact' | 'near' }[];
}

/**
 * Drops exact duplicates (same words, ignoring case and punctuation) and near-duplicates (word 3-shingle
 * Jaccard ≥ threshold), keeping the first occurrence — callers pass items best-first so the
 * higher-scored copy survives. An inverted index from shingle to kept items means only texts sharing at
 * least one shingle are compared, so thousands of comments stay cheap.
 */
export function dedupeTexts<T>(
  items: readonly T[],
  textOf: (item: T) => string,
  threshold = NEAR_DUPLICATE_THRESHOLD,
): DedupeResult<T> {
  const kept: { item: T; shingles: Set<string> }[] = [];
  const byShingle = new Map<string, number[]>();
  const seen = new Map<string, T>();
  const dropped: DedupeResult<T>['dropped'] = [];
  for (const item of items) {
    const text = textOf(item);
    const key = words(text).join(' ');
    const exact = seen.get(key);
    if (exact !== undefined) {
      dropped.push({ item, duplicateOf: exact, kind: 'exact' });
      continue;
    }
    const sh = shingles(text);
    const near = nearestAbove(sh, kept, byShingle, threshold);
    if (near !== undefined) {
      dropped.push({ item, duplicateOf: kept[near]!.item, kind: 'near' });
      continue;
    }
    seen.set(key, item);
    const index = kept.push({ item, shingles: sh }) - 1;
    for (const s of sh) {
      const list = byShingle.get(s);
      if (list) list.push(index);
      else byShingle.set(s, [index]);
    }
  }
  return { kept: kept.map((k) => k.item), dropped };
}

/** The first kept text (by index) whose Jaccard with `sh` reaches the threshold. */
function nearestAbove(
  sh: Set<string>,
  kept: readonly { shingles: Set<string> }[],
  byShingle: ReadonlyMap<string, number[]>,
  threshold: number,
): number | undefined {
  const candidates = new Set<number>();
  for (const s of sh) for (const i of byShingle.get(s) ?? []) candidates.add(i);
  let first: number | undefined;
  for (const i of candidates) {
    if ((first === undefined || i < first) && jaccard(kept[i]!.shingles, sh) >= threshold) first = i;
  }
  return first;
}

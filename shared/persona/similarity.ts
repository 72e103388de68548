/**
 * Set-based text similarity used twice in verbalization: word 3-shingles find near-duplicates (the same
 * comment reposted with a changed word), content-word sets measure how much two texts say the same thing
 * for the diversity sampler. Both are exact Jaccard on small per-community candidate lists (capped well
 * below the size where MinHash sketches would pay off).
 */

/** Lower-cased words, letters and digits only, apostrophes folded ("don't" → "dont"). */
export function words(text: string): string[] {
  return (text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu) ?? []).map((w) =>
    w.replace(/['’]/g, ''),
  );
}

/** Function words that make two unrelated comments look alike. A short list on purpose: topic words stay. */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his i if in into is it its ' +
    'just me my no not of on or our she so than that the their them then there they this to too us was we were what ' +
    'when which who will with would you your im ive dont its thats theres'
  ).split(' '),
);

/** The distinct content words of a text (stop words removed). */
export function contentWordSet(text: string): Set<string> {
  return new Set(words(text).filter((w) => !STOPWORDS.has(w)));
}

/** Distinct word k-shingles ("a b c", "b c d", …); a text shorter than k yields itself as one shingle. */
export function shingles(text: string, k = 3): Set<string> {
  const w = words(text);
  if (w.length <= k) return new Set([w.join(' ')]);
  const out = new Set<string>();
  for (let i = 0; i + k <= w.length; i++) out.add(w.slice(i, i + k).join(' '));
  return out;
}

/** |A ∩ B| / |A ∪ B|; two empty sets count as identical. */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

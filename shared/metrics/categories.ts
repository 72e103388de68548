/**
 * Demographic labels as small integer codes: one typed array per axis instead of one string per user,
 * so raking a million users touches a few megabytes of contiguous memory.
 */
export interface CategoricalAxis {
  name: string;
  /** Distinct labels, in first-seen order; codes index into it. */
  categories: string[];
  /** One code per user. */
  codes: Uint32Array;
}

/** Encodes one label per user (e.g. the `country` column of a scores file) as codes. */
export function encodeAxis(name: string, labels: readonly string[]): CategoricalAxis {
  const index = new Map<string, number>();
  const categories: string[] = [];
  const codes = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    let c = index.get(label);
    if (c === undefined) {
      c = categories.length;
      index.set(label, c);
      categories.push(label);
    }
    codes[i] = c;
  }
  return { name, categories, codes };
}

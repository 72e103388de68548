import { bm25Rank, rankScores } from './bm25.ts';
import { sameText } from './hygiene.ts';

/**
 * Which of the user's earlier prompts go into the rewrite request: the most recent ones for few-shot,
 * the most similar ones for retrieval (Tailored-Visions style).
 */

/** Earlier prompts worth showing: deduplicated (case and spacing aside) and without the prompt itself. */
export function usableHistory(history: readonly string[], prompt: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const h of history) {
    const text = h.replace(/\s+/g, ' ').trim();
    const key = text.toLowerCase();
    if (!text || seen.has(key) || sameText(text, prompt)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}

/** The k most recent prompts, oldest first (history is given oldest first). */
export function recentExamples(history: readonly string[], k: number): string[] {
  return history.slice(Math.max(0, history.length - k));
}

export type Embed = (texts: string[]) => Promise<number[][]>;

export interface Retrieved {
  examples: string[];
  /** How many of them were chosen by similarity; the rest are recent prompts filling the k slots. */
  matched: number;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * The k history prompts most similar to `prompt`, best first: BM25 by default, cosine similarity of
 * embeddings when `embed` is given. When fewer than k share anything with the prompt, the most recent
 * others fill the remaining slots, so the model still sees how this user writes.
 */
export async function retrieveExamples(prompt: string, history: readonly string[], k: number, embed?: Embed): Promise<Retrieved> {
  let ranked: number[];
  if (embed) {
    const vectors = await embed([prompt, ...history]);
    if (vectors.length !== history.length + 1) throw new Error(`embed returned ${vectors.length} vectors for ${history.length + 1} texts`);
    const [q, ...docs] = vectors;
    ranked = rankScores(docs.map((d) => cosine(q!, d)))
      .filter((r) => r.score > 0)
      .map((r) => r.index);
  } else {
    ranked = bm25Rank(prompt, history).map((r) => r.index);
  }
  const chosen = ranked.slice(0, k);
  const matched = chosen.length;
  for (let i = history.length - 1; i >= 0 && chosen.length < k; i--) if (!chosen.includes(i)) chosen.push(i);
  return { examples: chosen.map((i) => history[i]!), matched };
}

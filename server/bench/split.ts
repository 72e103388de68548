import { createRng } from '../../shared/encoder/random.ts';
import type { BenchUser } from '../datasets/types.ts';

/**
 * The context/reference split of a user's history, so that CMMD's reference is never seen by a method.
 * The reference prompts (rendered as the user's taste for CMMD) are drawn, seeded, from the history's
 * distinct prompts other than the user's queries; the context — every other history prompt — is all any
 * method is shown (few-shot examples, the retrieval pool, the history a persona is written from, the
 * static baseline's word counts). Prompts are compared case and spacing aside, so a prompt repeated in
 * the history cannot end up on both sides. At least one distinct prompt stays in the context; a user
 * with a single distinct history prompt gets no reference prompt (and no per-user CMMD).
 */
export interface UserSplit {
  context: string[];
  reference: string[];
}

const norm = (p: string) => p.replace(/\s+/g, ' ').trim().toLowerCase();

export function splitHistory(user: Pick<BenchUser, 'id' | 'history' | 'queries' | 'inputs'>, prompts: number, seed: number): UserSplit {
  const held = new Set([...user.queries, ...(user.inputs ?? [])].map(norm));
  const distinct: string[] = [];
  const seen = new Set<string>();
  for (const p of user.history) {
    const key = norm(p);
    if (!key || held.has(key) || seen.has(key)) continue;
    seen.add(key);
    distinct.push(p);
  }
  const take = Math.max(0, Math.min(prompts, distinct.length - 1));
  const chosen = createRng(mix(seed, user.id)).shuffle([...distinct]).slice(0, take);
  const reference = new Set(chosen.map(norm));
  // History order is kept for the context (few-shot takes the most recent) and for the reference.
  return {
    context: user.history.filter((p) => !reference.has(norm(p))),
    reference: distinct.filter((p) => reference.has(norm(p))),
  };
}

/** The split seed combined with the user id (FNV-1a), so each user's draw is independent and stable. */
function mix(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Below this many words a held-out prompt is matched whole, not as a phrase inside a text. */
const PHRASE_WORDS = 4;

/**
 * A mined persona's evidence without the held-out prompts: the user's posts and comments minus every one
 * that is a held-out prompt (a query, its short form, a reference prompt) or quotes one, so neither the
 * prompts CLIPScore compares with nor CMMD's reference reach the persona writer through the user's own
 * texts (a user who posted their image prompts would otherwise hand them over). Short prompts are matched
 * whole only: "a cat" inside a comment is not that prompt.
 */
export function withoutHeldOut<T extends { text: string }>(texts: readonly T[], heldOut: readonly string[]): { texts: T[]; withheld: number } {
  const prompts = [...new Set(heldOut.map(norm).filter(Boolean))];
  const whole = new Set(prompts);
  const phrases = prompts.filter((p) => p.split(' ').length >= PHRASE_WORDS);
  const kept = texts.filter((t) => {
    const text = norm(t.text);
    return !whole.has(text) && !phrases.some((p) => text.includes(p));
  });
  return { texts: kept, withheld: texts.length - kept.length };
}

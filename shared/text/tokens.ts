/**
 * Token counting with a real BPE tokenizer (gpt-tokenizer), never characters ÷ 4.
 *
 * Encoding: o200k_base, the vocabulary of GPT-4o / GPT-4.1 / GPT-5 / o-series — the family the paper
 * verbalized personas with. Other models (Llama, Qwen behind Ollama or vLLM) use other vocabularies, so
 * counts here are an estimate for them; the budgets (4,096 context tokens, the 8,000-token persona cap) are
 * round numbers with room to spare.
 *
 * Special-token strings such as "<|endoftext|>" inside user text are counted as ordinary text: people do
 * paste them, and a counter that throws on input text would be a denial of service on the whole pipeline.
 * Isomorphic: the encoding's rank table is plain JS data, so this runs in Node and in the extension.
 */
import { decode, encode, isWithinTokenLimit } from 'gpt-tokenizer/encoding/o200k_base';

export const TOKENIZER_ENCODING = 'o200k_base';

/** Treat every special-token string as plain text (see the module comment). */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export function encodeTokens(text: string): number[] {
  return encode(text, PLAIN_TEXT);
}

export function decodeTokens(tokens: readonly number[]): string {
  return decode(tokens);
}

/** The number of o200k_base tokens in `text`. */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return encodeTokens(text).length;
}

/** True when `text` has at most `limit` tokens; stops encoding as soon as the limit is passed. */
export function fitsTokens(text: string, limit: number): boolean {
  if (limit < 0) return false;
  return isWithinTokenLimit(text, limit, PLAIN_TEXT) !== false;
}

/** Where a cut may fall: anywhere between tokens, only at whitespace, or only after a sentence end. */
export type CutBoundary = 'token' | 'word' | 'sentence';

export interface CutResult {
  text: string;
  tokens: number;
  /** True when anything was removed. */
  cut: boolean;
}

/**
 * The longest prefix of `text` within `maxTokens` tokens, ending on `boundary`. A word or sentence cut
 * falls back to the next finer boundary when no such boundary exists within the budget (one very long
 * sentence still yields its first words rather than nothing).
 */
export function cutToTokens(text: string, maxTokens: number, boundary: CutBoundary = 'word'): CutResult {
  const limit = Math.max(0, Math.floor(maxTokens));
  const tokens = encodeTokens(text);
  if (tokens.length <= limit) return { text, tokens: tokens.length, cut: false };
  if (limit === 0) return { text: '', tokens: 0, cut: true };
  // A BPE prefix can end inside a multi-byte character; drop the replacement character it decodes to.
  let prefix = decodeTokens(tokens.slice(0, limit)).replace(/\uFFFD+$/u, '');
  if (boundary !== 'token') prefix = trimToBoundary(prefix, text, boundary);
  const trimmed = prefix.trimEnd();
  return { text: trimmed, tokens: countTokens(trimmed), cut: true };
}

/** Trims a raw token prefix of `full` back to the last sentence or word boundary it contains. */
function trimToBoundary(prefix: string, full: string, boundary: 'word' | 'sentence'): string {
  // Already on a boundary when the original text continues with whitespace.
  const next = full.charAt(prefix.length);
  if (boundary === 'word' && (next === '' || /\s/u.test(next))) return prefix;
  if (boundary === 'sentence') {
    // Last ". ", "! ", "? " (optionally after a closing quote/bracket) inside the prefix, or its very end.
    const ends = [...prefix.matchAll(/[.!?]["')\]]?(?=\s|$)/gu)];
    const last = ends.at(-1);
    if (last?.index !== undefined) {
      const end = last.index + last[0].length;
      if (end < prefix.length || /^\s|^$/u.test(full.slice(end, end + 1))) return prefix.slice(0, end);
    }
  }
  const space = prefix.search(/\s\S*$/u);
  return space > 0 ? prefix.slice(0, space) : prefix;
}

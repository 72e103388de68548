import { describe, expect, it } from 'vitest';
import { countTokens, cutToTokens, encodeTokens, fitsTokens, TOKENIZER_ENCODING } from '../../shared/text/tokens.ts';

describe('countTokens (o200k_base BPE)', () => {
  it('matches the published o200k_base ids for a known string', () => {
    expect(TOKENIZER_ENCODING).toBe('o200k_base');
    // tiktoken o200k_base: "Hello, world!" -> [13225, 11, 2375, 0] (cl100k_base would give 9906 first).
    expect(encodeTokens('Hello, world!')).toEqual([13225, 11, 2375, 0]);
    expect(countTokens('Hello, world!')).toBe(4);
  });

  it('is not a character heuristic', () => {
    const word = 'photography ';
    // 12 characters per repetition: chars/4 would say 3 tokens each; BPE merges it into 2 ("photography", " ").
    const text = word.repeat(50).trim();
    expect(countTokens(text)).toBeLessThan(text.length / 4);
    expect(countTokens('')).toBe(0);
  });

  it('counts special-token strings in user text as plain text instead of throwing', () => {
    expect(countTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });

  it('fitsTokens agrees with countTokens at the limit', () => {
    const text = 'You like long walks by the river at dusk.';
    const n = countTokens(text);
    expect(fitsTokens(text, n)).toBe(true);
    expect(fitsTokens(text, n - 1)).toBe(false);
  });
});

describe('cutToTokens', () => {
  const text = 'You shoot film. You love grain and natural light. You travel by train whenever you can.';

  it('returns the text unchanged when it fits', () => {
    expect(cutToTokens(text, 1000)).toEqual({ text, tokens: countTokens(text), cut: false });
  });

  it('cuts at a sentence end within the budget', () => {
    const firstTwo = 'You shoot film. You love grain and natural light.';
    const r = cutToTokens(text, countTokens(firstTwo) + 3, 'sentence');
    expect(r).toEqual({ text: firstTwo, tokens: countTokens(firstTwo), cut: true });
  });

  it('cuts at a word boundary and never exceeds the budget', () => {
    for (const limit of [1, 2, 5, 9, 13]) {
      const r = cutToTokens(text, limit, 'word');
      expect(r.tokens).toBeLessThanOrEqual(limit);
      expect(text.startsWith(r.text)).toBe(true);
      // Ends where a word ends in the original.
      expect([' ', '']).toContain(text.charAt(r.text.length));
    }
  });

  it('falls back to words when one sentence is longer than the budget', () => {
    const r = cutToTokens(text, 3, 'sentence');
    expect(r.text).toBe('You shoot');
  });

  it('drops a half multi-byte character at a token cut', () => {
    const r = cutToTokens('日本語のテキストです', 2, 'token');
    expect(r.text).not.toContain('\uFFFD');
    expect(r.tokens).toBeLessThanOrEqual(2);
  });
});

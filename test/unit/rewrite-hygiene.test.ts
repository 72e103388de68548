import { describe, expect, it } from 'vitest';
import { capWords, cleanAnswer, REWRITE_MAX_WORDS, sameText } from '../../shared/rewrite/hygiene.ts';

const P = 'a golden retriever in a sunlit park, soft morning haze, warm film tones';

describe('cleanAnswer', () => {
  it.each([
    ['bare', P],
    ['double quotes', `"${P}"`],
    ['curly quotes', `“${P}”`],
    ['label', `Rewritten prompt: ${P}`],
    ['bold label', `**Enhanced Prompt:** ${P}`],
    ['label on its own line', `Rewritten prompt:\n${P}`],
    ['preamble paragraph', `Here is your rewritten prompt:\n\n${P}`],
    ['inline preamble', `Sure, here is a more vivid version: ${P}`],
    ['courtesy line', `Certainly!\n${P}`],
    ['code fence', '```text\n' + P + '\n```'],
    ['trailing explanation paragraph', `${P}\n\nThis version keeps the dog and adds atmosphere.`],
    ['trailing note, same line', `${P} (Note: I kept the main subject.)`],
    ['explanation sentence', `${P}. This prompt evokes a calm Sunday.`],
    ['everything at once', `Sure! Here's the rewritten prompt:\n\n**Rewritten prompt:** "${P}"\n\nNote: I kept the main subject and added mood.`],
    ['list marker', `1. ${P}`],
  ])('strips %s', (_, raw) => {
    const out = cleanAnswer(raw);
    expect(out.text.replace(/\.$/, '')).toBe(P);
    expect(out.cut).toBe(false);
  });

  it('drops commentary after a closing quote', () => {
    expect(cleanAnswer(`Here's a richer prompt: "${P}" — this keeps the dog.`).text).toBe(P);
  });

  it('keeps prompts that merely start like a courtesy word', () => {
    expect(cleanAnswer('Great white shark breaching at dawn').text).toBe('Great white shark breaching at dawn');
    expect(cleanAnswer('Absolutely massive gothic cathedral in fog').text).toBe('Absolutely massive gothic cathedral in fog');
    expect(cleanAnswer(`Okay here is the prompt: ${P}`).text).toBe(P);
  });

  it('keeps inner quotes and apostrophes of a real prompt', () => {
    const inner = 'a neon sign reading "open late" above a diner\'s door';
    expect(cleanAnswer(inner).text).toBe(inner);
  });

  it('gives empty text for an empty or chatter-only answer', () => {
    expect(cleanAnswer('').text).toBe('');
    expect(cleanAnswer('   \n ').text).toBe('');
    expect(cleanAnswer('Here is your rewritten prompt:').text).toBe('');
  });

  it('caps at fewer than 70 words and reports the cut', () => {
    const long = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    const out = cleanAnswer(long);
    expect(out.cut).toBe(true);
    expect(out.text.split(' ')).toHaveLength(REWRITE_MAX_WORDS);
    expect(out.text.endsWith('w68')).toBe(true);
  });
});

describe('capWords', () => {
  it('keeps text at the cap untouched and trims a dangling joint after a cut', () => {
    expect(capWords('one two three', 3)).toEqual({ text: 'one two three', cut: false });
    expect(capWords('a dog, a park and the sea', 5)).toEqual({ text: 'a dog, a park', cut: true });
    expect(capWords('red, green, blue, grey', 3)).toEqual({ text: 'red, green, blue', cut: true });
  });
});

describe('sameText', () => {
  it('ignores case, spacing and punctuation only', () => {
    expect(sameText('A dog in a park.', 'a  dog in a park')).toBe(true);
    expect(sameText('a dog in a park', 'a dog in the park')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { extractSubjects, MAX_SUBJECTS, missingSubjects } from '../../shared/rewrite/subjects.ts';
import { normalizeTerm, termForms } from '../../shared/rewrite/terms.ts';

describe('extractSubjects', () => {
  it.each([
    ['a dog in a park', ['dog', 'park']],
    ['a cozy wooden table with an open book', ['table', 'book']],
    ['A photo of two Puppies playing with a red ball, 4k, cinematic', ['puppy', 'ball']],
    ['portrait of an old fisherman smoking a pipe', ['fisherman', 'pipe']],
    ['oil painting of a lighthouse at dusk', ['lighthouse', 'dusk']],
    ['an old building at night', ['building', 'night']],
    ['a sleeping cat', ['cat']],
    ['children playing football on a beach', ['child', 'football', 'beach']],
    ['cyberpunk street at night, neon signs, rain, mysterious', ['street', 'night', 'sign', 'rain']],
    ["a child's T-shirt", ['t-shirt']],
    ['ultra detailed, 8k, photorealistic', []],
  ])('%s → %j', (prompt, subjects) => {
    expect(extractSubjects(prompt)).toEqual(subjects);
  });

  it('keeps the first MAX_SUBJECTS, in order, without repeats', () => {
    const s = extractSubjects('a cat, a dog, a cat, a fox, an owl, a bear, a deer, a wolf, a hare');
    expect(s).toEqual(['cat', 'dog', 'fox', 'owl', 'bear', 'deer']);
    expect(s).toHaveLength(MAX_SUBJECTS);
  });
});

describe('missingSubjects', () => {
  it('catches the paper failure: "a dog in a park" with no dog', () => {
    const subjects = extractSubjects('a dog in a park');
    expect(missingSubjects(subjects, 'an art deco geometric pattern with gold leaf accents in a park')).toEqual(['dog']);
    expect(missingSubjects(subjects, 'an art deco geometric pattern with gold leaf accents')).toEqual(['dog', 'park']);
  });

  it('tolerates case, plurals, possessives and hyphenation', () => {
    expect(missingSubjects(['dog', 'park'], 'Two DOGS romp through the Parks')).toEqual([]);
    expect(missingSubjects(['puppy'], "the puppies' ball")).toEqual([]);
    expect(missingSubjects(['wolf'], 'Wolves at dusk')).toEqual([]);
    expect(missingSubjects(['windowsill', 't-shirt'], 'a window sill and a tshirt')).toEqual([]);
    expect(missingSubjects(['book'], "the book's pages")).toEqual([]);
  });

  it('does not accept a mere substring', () => {
    expect(missingSubjects(['cat'], 'a catalogue of concatenated shapes')).toEqual(['cat']);
  });
});

describe('terms', () => {
  it('normalises words to a comparable singular form', () => {
    expect(['Puppies', "Dog's", 'mice', 'glass', 'bus', '4k'].map(normalizeTerm)).toEqual(['puppy', 'dog', 'mouse', 'glass', 'bus', '4k']);
    expect([...termForms('sun-drenched window sill')]).toEqual(
      expect.arrayContaining(['sun-drenched', 'sundrenched', 'sun', 'drenched', 'window', 'sill', 'windowsill']),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { rankRelevance, selectDiverse } from '../../shared/persona/diversity.ts';

// Content-word Jaccard: A–B 0.75, A–D 0.455, B–D 0.417, C unrelated to all.
const A = 'Shooting Portra 400 film with my Canon AE-1 gives lovely grain';
const B = 'Portra 400 film in the Canon AE-1 gives such lovely grain tones';
const C = 'Finished a walnut coffee table with hand-cut dovetail joints';
const D = 'Portra film grain looks lovely on a Canon';
const relevance = rankRelevance(4); // 1, 0.75, 0.5, 0.25
const candidates = [A, B, C, D].map((text, i) => ({ text, tokens: 10, relevance: relevance[i]! }));

describe('selectDiverse (greedy MMR under a token budget)', () => {
  it('prefers the unrelated woodworking text over a near-paraphrase of the first pick', () => {
    // λ = 0.6: after A, B scores 0.6·0.75 − 0.4·0.75 = 0.15 while C scores 0.6·0.5 − 0 = 0.30.
    expect(selectDiverse(candidates, { budget: 30, lambda: 0.6 })).toEqual([0, 2, 1]);
  });

  it('is plain ranking at λ = 1', () => {
    expect(selectDiverse(candidates, { budget: 30, lambda: 1 })).toEqual([0, 1, 2]);
  });

  it('takes everything, most novel first, when the budget allows', () => {
    expect(selectDiverse(candidates, { budget: 1000, lambda: 0.6 })).toEqual([0, 2, 1, 3]);
  });

  it('skips what does not fit and keeps filling with what does', () => {
    const mixed = [
      { text: A, tokens: 8, relevance: 1 },
      { text: C, tokens: 50, relevance: 0.9 },
      { text: D, tokens: 5, relevance: 0.1 },
    ];
    expect(selectDiverse(mixed, { budget: 14, lambda: 0.6 })).toEqual([0, 2]);
    expect(selectDiverse(mixed, { budget: 0 })).toEqual([]);
  });

  it('counts texts selected earlier as already covered', () => {
    // With A already in the context, C (novel) outranks B even as the first pick.
    expect(selectDiverse(candidates.slice(1), { budget: 10, lambda: 0.6, alreadySelected: [A] })).toEqual([1]);
  });
});

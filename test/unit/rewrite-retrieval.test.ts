import { describe, expect, it } from 'vitest';
import { bm25Rank, bm25Scores } from '../../shared/rewrite/bm25.ts';
import { recentExamples, retrieveExamples, usableHistory } from '../../shared/rewrite/examples.ts';

describe('BM25 (k1 = 1.2, b = 0.75)', () => {
  // Worked by hand: N = 3, avgdl = 7/3; idf(red) = ln 1.6, idf(fox) = ln(8/3).
  // doc0 "red fox": each term tf 1, dl 2 → (ln 1.6 + ln 8/3) · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 2 / (7/3)))
  // doc1 "red cars red": red tf 2, dl 3 → ln 1.6 · 4.4 / (2 + 1.2 · (0.25 + 0.75 · 3 / (7/3)))
  const docs = ['a red fox', 'red cars, red', 'the blue sky'];
  it('scores a tiny corpus with known values', () => {
    const [s0, s1, s2] = bm25Scores('red foxes', docs);
    expect(s0).toBeCloseTo(((Math.log(1.6) + Math.log(8 / 3)) * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 2) / (7 / 3))), 10);
    expect(s1).toBeCloseTo((Math.log(1.6) * 4.4) / (2 + 1.2 * (0.25 + (0.75 * 3) / (7 / 3))), 10);
    expect(s0).toBeCloseTo(1.540886, 5);
    expect(s1).toBeCloseTo(0.598187, 5);
    expect(s2).toBe(0);
  });

  it('ranks best first, drops non-matching texts, and breaks ties toward the more recent', () => {
    expect(bm25Rank('red foxes', docs).map((r) => r.index)).toEqual([0, 1]);
    expect(bm25Rank('cat', ['a cat', 'a dog', 'a cat']).map((r) => r.index)).toEqual([2, 0]);
    expect(bm25Rank('', docs)).toEqual([]);
  });
});

describe('example selection', () => {
  it('usableHistory drops blanks, duplicates and the prompt itself', () => {
    expect(usableHistory(['a fox', ' A  fox ', '', 'A dog in a park.', 'a cat'], 'a dog in a park')).toEqual(['a fox', 'a cat']);
  });

  it('recentExamples takes the last k, oldest first', () => {
    expect(recentExamples(['p1', 'p2', 'p3', 'p4'], 2)).toEqual(['p3', 'p4']);
    expect(recentExamples(['p1'], 3)).toEqual(['p1']);
  });

  const history = ['a neon dog portrait', 'a watercolor fox', 'a dog on a beach at dawn', 'city at night', 'still life with pears'];

  it('retrieves by BM25 and fills missing slots with the most recent prompts', async () => {
    const r = await retrieveExamples('a dog in a park', history, 3);
    expect(r.matched).toBe(2);
    expect(r.examples.slice(0, 2).sort()).toEqual(['a dog on a beach at dawn', 'a neon dog portrait']);
    expect(r.examples[2]).toBe('still life with pears');
  });

  it('retrieves by embedding similarity when given an embed function', async () => {
    // A toy embedding: one axis per animal word, so similarity is exact and predictable.
    const axes = ['dog', 'fox', 'pear'];
    const embed = async (texts: string[]) => texts.map((t) => axes.map((a) => (t.includes(a) ? 1 : 0)));
    const r = await retrieveExamples('a fox and pears', history, 2, embed);
    expect(r).toEqual({ examples: ['still life with pears', 'a watercolor fox'], matched: 2 });
  });
});

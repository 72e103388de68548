import { describe, expect, it } from 'vitest';
import { averageRanks, MeanOf, normalizedEntropy, spearman, topIndices } from '../../shared/encoder/attention-metrics.ts';

describe('attention metrics', () => {
  it('ranks ties by their average rank', () => {
    expect(averageRanks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
  });

  it('spearman is ±1 for monotone pairs, handles ties, and is undefined for a constant side', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 35, 90])).toBeCloseTo(1, 10);
    expect(spearman([1, 2, 3, 4], [9, 5, 2, 1])).toBeCloseTo(-1, 10);
    // Ranks x = 1,2,3 and y = 1.5,1.5,3: Pearson of the ranks is √3 / 2.
    expect(spearman([1, 2, 3], [5, 5, 7])).toBeCloseTo(Math.sqrt(3) / 2, 10);
    expect(spearman([0.3, 0.3, 0.3], [1, 2, 3])).toBeUndefined();
  });

  it('normalised entropy is 1 for uniform, 0 for all mass on one, in between otherwise', () => {
    expect(normalizedEntropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1, 10);
    expect(normalizedEntropy([1, 0, 0])).toBe(0);
    const p = [0.7, 0.2, 0.1];
    expect(normalizedEntropy(p)).toBeCloseTo(-(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)) / Math.log(3), 10);
    expect(normalizedEntropy([1])).toBeUndefined();
  });

  it('picks the top indices (earlier index first on ties) and averages only defined values', () => {
    expect(topIndices([0.1, 0.5, 0.5, 0.3], 3)).toEqual([1, 2, 3]);
    const m = new MeanOf();
    [1, undefined, 3, Number.NaN].forEach((x) => m.add(x));
    expect([m.mean, m.count]).toEqual([2, 2]);
  });
});

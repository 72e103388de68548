import { describe, expect, it } from 'vitest';
import { binomialTestTwoSided } from '../../shared/metrics/binomial.ts';
import { pairedComparison, quantile, significanceLabel } from '../../shared/metrics/paired.ts';

describe('pairedComparison', () => {
  it('counts wins, losses and ties per trial and tests the decisive ones exactly', () => {
    const trials = [
      { a: 60, b: 50 },
      { a: 61, b: 50 },
      { a: 40, b: 50 },
      { a: 50, b: 50 },
      { a: 70, b: 69 },
    ];
    const c = pairedComparison('persona', 'baseline', trials);
    expect(c).toMatchObject({ a: 'persona', b: 'baseline', trials: 5, n: 4, wins_a: 3, wins_b: 1, ties: 1, win_rate_a: 0.75 });
    expect(c.p_value).toBeCloseTo(binomialTestTwoSided(3, 4), 12);
    expect(c.min_p_value).toBeCloseTo(2 / 16, 12);
    expect(c.mean_a).toBeCloseTo(56.2, 12);
    expect(c.mean_b).toBeCloseTo(53.8, 12);
    expect(c.mean_diff).toBeCloseTo(2.4, 12);
  });

  it('bootstraps whole trials: the interval holds the mean difference and is reproducible', () => {
    const trials = Array.from({ length: 40 }, (_, i) => ({ a: 50 + ((i * 7) % 11), b: 50 + ((i * 5) % 9) }));
    const c = pairedComparison('a', 'b', trials, { resamples: 4000, seed: 3 });
    expect(c.diff_ci[0]).toBeLessThanOrEqual(c.mean_diff);
    expect(c.diff_ci[1]).toBeGreaterThanOrEqual(c.mean_diff);
    expect(c.win_rate_ci[0]).toBeLessThanOrEqual(c.win_rate_a);
    expect(c.win_rate_ci[1]).toBeGreaterThanOrEqual(c.win_rate_a);
    expect(pairedComparison('a', 'b', trials, { resamples: 4000, seed: 3 })).toEqual(c);
    // Identical differences leave nothing to resample: a zero-width interval.
    const constant = pairedComparison('a', 'b', Array.from({ length: 10 }, () => ({ a: 2, b: 1 })), { resamples: 200 });
    expect(constant.diff_ci).toEqual([1, 1]);
    expect(constant.win_rate_ci).toEqual([1, 1]);
  });

  it('never reads p < 0.01 into too few trials', () => {
    // 7 of 7: p = 2/128 ≈ 0.0156 — the best 7 trials can do.
    const seven = pairedComparison('a', 'b', Array.from({ length: 7 }, () => ({ a: 1, b: 0 })), { resamples: 10 });
    expect(seven.p_value).toBeCloseTo(2 / 128, 12);
    expect(significanceLabel(seven)).toBe('p < 0.05');
    const three = pairedComparison('a', 'b', Array.from({ length: 3 }, () => ({ a: 1, b: 0 })), { resamples: 10 });
    expect(significanceLabel(three)).toBe('n.s. (3 decisive trials cannot reach p < 0.01)');
    const twelve = pairedComparison('a', 'b', Array.from({ length: 12 }, () => ({ a: 1, b: 0 })), { resamples: 10 });
    expect(significanceLabel(twelve)).toBe('p < 0.01');
    expect(significanceLabel(pairedComparison('a', 'b', [{ a: 1, b: 1 }], { resamples: 10 }))).toBe('no decisive trials');
  });

  it('rejects a method against itself and non-finite scores', () => {
    expect(() => pairedComparison('a', 'a', [])).toThrow(/two methods/);
    expect(() => pairedComparison('a', 'b', [{ a: Number.NaN, b: 1 }])).toThrow(/trial 1 has a non-finite score/);
  });
});

describe('quantile', () => {
  it('interpolates linearly like NumPy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([5], 0.9)).toBe(5);
  });
});

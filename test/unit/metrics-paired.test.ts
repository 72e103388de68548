import { describe, expect, it } from 'vitest';
import { binomialTestTwoSided } from '../../shared/metrics/binomial.ts';
import { holmAdjust, pairedComparison, quantile, significanceLabel, withHolm } from '../../shared/metrics/paired.ts';

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

describe('users as bootstrap clusters', () => {
  it('with one trial per user it is the trial bootstrap; with users of several correlated prompts the interval widens', () => {
    const trials = Array.from({ length: 30 }, (_, i) => ({ a: 50 + ((i * 7) % 11), b: 50 + ((i * 5) % 9) }));
    const alone = pairedComparison('a', 'b', trials, { resamples: 2000, seed: 1 });
    const own = pairedComparison('a', 'b', trials.map((t, i) => ({ ...t, group: `u${i}` })), { resamples: 2000, seed: 1 });
    expect(own.diff_ci).toEqual(alone.diff_ci);
    expect([alone.resampled, own.resampled, own.groups]).toEqual(['trials', 'groups', 30]);
    // 6 users × 5 prompts, each user's prompts moving together: 6 independent pieces of evidence, not 30.
    const clustered = Array.from({ length: 30 }, (_, i) => {
      const u = Math.floor(i / 5);
      return { a: 50 + ((u * 7) % 11) + (i % 5) * 0.01, b: 50 + ((u * 5) % 9), group: `u${u}` };
    });
    const byTrial = pairedComparison('a', 'b', clustered.map(({ group: _, ...t }) => t), { resamples: 4000, seed: 2 });
    const byUser = pairedComparison('a', 'b', clustered, { resamples: 4000, seed: 2 });
    expect(byUser.mean_diff).toBeCloseTo(byTrial.mean_diff, 12);
    expect(byUser.diff_ci[1] - byUser.diff_ci[0]).toBeGreaterThan(1.5 * (byTrial.diff_ci[1] - byTrial.diff_ci[0]));
  });
});

describe('Holm–Bonferroni', () => {
  it('adjusts step-down, monotone, capped at 1, in input order', () => {
    // Sorted 0.01, 0.02, 0.03, 0.5 → 0.04, 0.06, 0.06 (monotone), 0.5.
    const adj = holmAdjust([0.03, 0.5, 0.01, 0.02]);
    [0.06, 0.5, 0.04, 0.06].forEach((want, i) => expect(adj[i]).toBeCloseTo(want, 12));
    expect(holmAdjust([0.6, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('keeps a family from reading one lucky p as significant', () => {
    // 12 of 12 alone: p = 2/4096 < 0.01; one of 21 pairs: ×21 → 0.0103, no longer p < 0.01.
    const strong = pairedComparison('a', 'b', Array.from({ length: 12 }, () => ({ a: 1, b: 0 })), { resamples: 10 });
    const noise = pairedComparison('c', 'd', [{ a: 1, b: 0 }, { a: 0, b: 1 }], { resamples: 10 });
    const family = withHolm([strong, ...Array.from({ length: 20 }, () => noise)]);
    expect(family[0]!.p_holm).toBeCloseTo(Math.min(1, 21 * (2 / 4096)), 12);
    expect(significanceLabel(strong)).toBe('p < 0.01');
    expect(significanceLabel(family[0]!)).toBe('p < 0.05 (Holm, 21 pairs)');
    expect(family.every((c) => c.family === 21)).toBe(true);
  });
});

describe('quantile', () => {
  it('interpolates linearly like NumPy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([5], 0.9)).toBe(5);
  });
});

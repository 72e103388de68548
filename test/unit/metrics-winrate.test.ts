import { describe, expect, it } from 'vitest';
import { binomialLogPmf, binomialTestTwoSided, logGamma } from '../../shared/metrics/binomial.ts';
import { winRates } from '../../shared/metrics/winrate.ts';
import { InputError } from '../../shared/errors.ts';

/** Exact two-sided p for p = 1/2 with BigInt binomial coefficients: Σ C(n,i) over C(n,i) ≤ C(n,k), / 2^n. */
function exactHalf(k: number, n: number): number {
  const c: bigint[] = [1n];
  for (let i = 1; i <= n; i++) c.push((c[i - 1]! * BigInt(n - i + 1)) / BigInt(i));
  const total = c.filter((v) => v <= c[k]!).reduce((a, b) => a + b, 0n);
  return Number(total) / 2 ** n;
}

describe('binomialTestTwoSided', () => {
  it('matches hand-computed values', () => {
    // n = 10, k = 9: outcomes 0, 1, 9, 10 are no more likely: (1 + 10 + 10 + 1) / 1024.
    expect(binomialTestTwoSided(9, 10)).toBeCloseTo(0.021484375, 14);
    expect(binomialTestTwoSided(5, 10)).toBe(1);
    expect(binomialTestTwoSided(0, 5)).toBeCloseTo(2 / 32, 14);
    expect(binomialTestTwoSided(0, 0)).toBe(1);
  });

  it.each([[3, 20], [14, 20], [0, 30], [40, 61]])('equals the exact rational sum for k = %i, n = %i', (k, n) => {
    expect(binomialTestTwoSided(k, n)).toBeCloseTo(exactHalf(k, n), 12);
    expect(binomialTestTwoSided(n - k, n)).toBeCloseTo(binomialTestTwoSided(k, n), 14);
  });

  it('handles a success probability other than 1/2', () => {
    // n = 5, p = 0.3, k = 3: P(3) = 10·0.027·0.49 = 0.1323; outcomes no more likely: 3, 4, 5 and 0 (0.16807).
    const pmf = [0, 1, 2, 3, 4, 5].map((i) => Math.exp(binomialLogPmf(i, 5, 0.3)));
    expect(pmf[3]).toBeCloseTo(0.1323, 12);
    expect(binomialTestTwoSided(3, 5, 0.3)).toBeCloseTo(pmf[3]! + pmf[4]! + pmf[5]!, 12);
  });

  it('stays finite and tiny for a large study (Table 15: 79% of 250)', () => {
    const p = binomialTestTwoSided(198, 250);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-18);
    expect(binomialTestTwoSided(5000, 10000)).toBeCloseTo(1, 9);
  });

  it('rejects impossible inputs', () => {
    expect(() => binomialTestTwoSided(11, 10)).toThrow(/k must be a whole number in \[0, n\]/);
    expect(() => binomialTestTwoSided(1.5, 10)).toThrow(InputError);
    expect(() => binomialTestTwoSided(1, 10, 1.5)).toThrow(/p must be in/);
  });

  it('computes log-gamma accurately', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 8);
  });
});

describe('winRates', () => {
  it('counts wins per pair in first-seen orientation, excluding ties from the test', () => {
    const votes = [
      ...Array.from({ length: 9 }, () => ({ a: 'persona', b: 'baseline', winner: 'persona' })),
      { a: 'baseline', b: 'persona', winner: 'baseline' },
      { a: 'persona', b: 'baseline', winner: null },
      { a: 'persona', b: 'tv', winner: 'tv' },
    ];
    const [first, second] = winRates(votes);
    expect(first).toEqual({ a: 'persona', b: 'baseline', n: 10, wins_a: 9, wins_b: 1, ties: 1, win_rate_a: 0.9, p_value: expect.closeTo(0.021484375, 14) });
    expect(second).toMatchObject({ a: 'persona', b: 'tv', n: 1, wins_a: 0, wins_b: 1, p_value: 1 });
  });

  it('rejects a winner that was not shown', () => {
    expect(() => winRates([{ a: 'x', b: 'y', winner: 'z' }])).toThrow(/winner 'z' is neither 'x' nor 'y'/);
    expect(() => winRates([{ a: 'x', b: 'x', winner: 'x' }])).toThrow(/against itself/);
  });
});

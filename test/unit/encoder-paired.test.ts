import { describe, expect, it } from 'vitest';
import { formatPaired, pairedDifference, signTestP } from '../../shared/encoder/paired.ts';
import { createRng } from '../../shared/encoder/random.ts';

describe('sign test', () => {
  it('matches the exact binomial tail for small counts', () => {
    // 1 better / 9 worse: 2 · (C(10,0) + C(10,1)) / 2^10 = 22 / 1024.
    expect(signTestP(1, 9)).toBeCloseTo(22 / 1024, 12);
    expect(signTestP(9, 1)).toBeCloseTo(22 / 1024, 12);
    expect(signTestP(5, 5)).toBe(1);
    expect(signTestP(0, 0)).toBe(1);
  });

  it('stays finite and tiny for thousands of lopsided cases (log-space sum)', () => {
    const p = signTestP(1200, 800);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-15);
  });
});

describe('paired difference', () => {
  it('finds a real shift and brackets it, and finds none when the two rankers agree', () => {
    const rng = createRng(3);
    const base = Array.from({ length: 800 }, () => rng.next());
    const shifted = base.map((x, i) => x + 0.05 + (i % 2 ? 0.01 : -0.01));
    const gain = pairedDifference(shifted, base, 1, 500);
    expect(gain.meanDifference).toBeCloseTo(0.05, 6);
    expect(gain.ci95[0]).toBeGreaterThan(0.04);
    expect(gain.ci95[1]).toBeLessThan(0.06);
    expect(gain.better).toBe(800);
    expect(gain.signP).toBeLessThan(1e-100);

    const noise = base.map(() => rng.next() - 0.5);
    const none = pairedDifference(noise.map((d, i) => base[i]! + d * 0.01), base, 1, 500);
    expect(none.ci95[0]).toBeLessThan(0);
    expect(none.ci95[1]).toBeGreaterThan(0);
    expect(none.signP).toBeGreaterThan(0.01);
  });

  it('is seeded, drops ties from the sign test, and refuses unpaired inputs', () => {
    const a = [1, 0.5, 0.2, 0.2, 0.1];
    const b = [0.5, 0.5, 0.25, 0.2, 0.05];
    expect(pairedDifference(a, b, 9)).toEqual(pairedDifference(a, b, 9));
    const p = pairedDifference(a, b, 9);
    expect([p.better, p.worse]).toEqual([2, 1]);
    expect(() => pairedDifference([1, 2], [1])).toThrow(/one baseline value per case/);
  });

  it('formats as one line with the interval and the sign test', () => {
    const line = formatPaired({ meanDifference: -0.0012, ci95: [-0.004, 0.0021], better: 342, worse: 460, signP: 3.4e-5 });
    expect(line).toBe('−0.0012 (95% bootstrap CI −0.0040 to +0.0021); better on 342, worse on 460 users, sign test p = 3e-5');
  });
});

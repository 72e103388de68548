import { describe, expect, it } from 'vitest';
import { encodeAxis } from '../../shared/metrics/categories.ts';
import { IpfError, rake } from '../../shared/metrics/ipf.ts';
import { ipfReport, spread } from '../../shared/metrics/subgroups.ts';

/** Expands a table of cell counts into one label pair per user. */
function users(cells: [string, string, number][]): { g: string[]; a: string[] } {
  const g: string[] = [];
  const a: string[] = [];
  for (const [gv, av, count] of cells) for (let i = 0; i < count; i++) g.push(gv), a.push(av);
  return { g, a };
}

describe('rake', () => {
  it('solves one axis in a single step', () => {
    const axis = encodeAxis('gender', ['m', 'm', 'm', 'f']);
    const r = rake([axis], { gender: { m: 0.5, f: 0.5 } });
    expect(Array.from(r.weights)).toEqual([1 / 6, 1 / 6, 1 / 6, 1 / 2].map((v) => expect.closeTo(v, 15)));
    expect(r).toMatchObject({ iterations: 1, converged: true, keptCount: 4 });
  });

  it('reproduces the closed-form solution of a 2 × 2 table (raking keeps the odds ratio)', () => {
    // Counts [[1, 2], [3, 4]] raked to uniform margins: the fitted table keeps the odds ratio 4/6, so
    // p11 = p22 = s / (2 (1 + s)) with s = √(2/3), and p12 = p21 = 1/2 − p11.
    const { g, a } = users([['x', 'p', 1], ['x', 'q', 2], ['y', 'p', 3], ['y', 'q', 4]]);
    const r = rake([encodeAxis('g', g), encodeAxis('a', a)], { g: { x: 0.5, y: 0.5 }, a: { p: 0.5, q: 0.5 } }, { epsilon: 1e-12 });
    const s = Math.sqrt(2 / 3);
    const p11 = s / (2 * (1 + s));
    const cell = (from: number, to: number) => Array.from(r.weights.slice(from, to)).reduce((x, y) => x + y, 0);
    expect(cell(0, 1)).toBeCloseTo(p11, 10);
    expect(cell(1, 3)).toBeCloseTo(0.5 - p11, 10);
    expect(cell(3, 6)).toBeCloseTo(0.5 - p11, 10);
    expect(cell(6, 10)).toBeCloseTo(p11, 10);
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeGreaterThan(2);
    expect(r.maxDiscrepancy).toBeLessThan(1e-12);
  });

  it('stops at epsilon on the largest marginal gap and reports non-convergence', () => {
    const { g, a } = users([['x', 'p', 1], ['x', 'q', 2], ['y', 'p', 3], ['y', 'q', 4]]);
    const axes = [encodeAxis('g', g), encodeAxis('a', a)];
    const targets = { g: { x: 0.3, y: 0.7 }, a: { p: 0.6, q: 0.4 } };
    const loose = rake(axes, targets, { epsilon: 1e-2 });
    const tight = rake(axes, targets, { epsilon: 1e-10 });
    expect(loose.converged && tight.converged).toBe(true);
    expect(loose.maxDiscrepancy).toBeLessThan(1e-2);
    expect(tight.iterations).toBeGreaterThan(loose.iterations);
    const capped = rake(axes, targets, { epsilon: 1e-10, maxIterations: 1 });
    expect(capped).toMatchObject({ iterations: 1, converged: false });
  });

  it('names the axis and category when targets and sample disagree', () => {
    const gender = encodeAxis('gender', ['m', 'f', 'x']);
    expect(() => rake([gender], { gender: { m: 0.5, f: 0.5 } })).toThrow(/sample category gender=x is missing from the targets; add it or pass --drop-missing/);
    expect(() => rake([encodeAxis('gender', ['m', 'f'])], { gender: { m: 0.4, f: 0.4, x: 0.2 } })).toThrow(/target category gender=x has no users/);
    expect(() => rake([gender], { gender: { m: 0.5, f: 0.6, x: 0.1 } })).toThrow(/sum to 1.2, not 1/);
    expect(() => rake([gender], {})).toThrow(/axis 'gender' has no targets/);
    expect(() => rake([gender], { gender: { m: 0.5, f: 0.25, x: 0.25 }, age: { y: 1 } })).toThrow(/axis 'age' but the sample has no such column/);
    expect(() => rake([gender], { gender: { m: 0.5, f: 0.25, x: 0.25 } }, { epsilon: 0 })).toThrow(IpfError);
  });

  it('drops missing categories when asked and says what it dropped', () => {
    const gender = encodeAxis('gender', ['m', 'm', 'f', 'x']);
    const age = encodeAxis('age', ['y', 'o', 'y', 'o']);
    const r = rake([gender, age], { gender: { m: 0.4, f: 0.4, nb: 0.2 }, age: { y: 0.5, o: 0.5 } }, { dropMissing: true });
    expect(r.dropped).toEqual({ sampleCategories: { gender: { x: 1 } }, targetCategories: { gender: { nb: 0.2 } }, users: 1 });
    expect(r.targets.gender).toEqual({ m: 0.5, f: 0.5 });
    expect(r.weights[3]).toBe(0);
    expect(r.keptCount).toBe(3);
  });
});

describe('ipfReport', () => {
  it('reweights scores, tabulates subgroups and their spread', () => {
    // Three men scoring 60, 70, 80 and one woman scoring 50, raked to 50/50: raw 65, IPF 0.5·70 + 0.5·50 = 60.
    const r = ipfReport([60, 70, 80, 50], [encodeAxis('gender', ['m', 'm', 'm', 'f'])], { gender: { m: 0.5, f: 0.5 } });
    expect(r.raw).toBeCloseTo(65, 12);
    expect(r.ipf).toBeCloseTo(60, 12);
    expect(r.delta_pct).toBeCloseTo((100 * -5) / 65, 10);
    expect(r.subgroups.gender).toEqual({
      m: { n: 3, sample_share: 0.75, target_share: 0.5, mean: 70, ipf_mean: expect.closeTo(70, 12) },
      f: { n: 1, sample_share: 0.25, target_share: 0.5, mean: 50, ipf_mean: expect.closeTo(50, 12) },
    });
    expect(r.sigma).toBeCloseTo(10, 12);
    expect(r.range).toBe(20);
    expect(r).toMatchObject({ iterations: 1, converged: true, n: 4 });
  });

  it('measures Δ% over the raked users, so users left out of raking do not pass for a reweighting effect', () => {
    // The user of gender x has no target: raw over all 4 is 57.5, over the 3 raked 60; raking m/f to 50/50
    // gives 0.5·65 + 0.5·50 = 57.5 — equal to the all-user raw by chance, yet a −4.17% change by reweighting.
    const r = ipfReport([60, 70, 50, 50], [encodeAxis('gender', ['m', 'm', 'f', 'x'])], { gender: { m: 0.5, f: 0.5 } }, { dropMissing: true });
    expect([r.raw, r.raw_raked, r.ipf]).toEqual([57.5, expect.closeTo(60, 12), expect.closeTo(57.5, 12)]);
    expect(r.delta_pct).toBeCloseTo((100 * (57.5 - 60)) / 60, 10);
    expect(r.n_raked).toBe(3);
  });

  it('uses the population σ, as the paper\'s Table 13 does', () => {
    // ZIPPY (5-shot) column of Table 13: σ 0.8 and range 2.5 over its 22 subgroup means.
    const z5 = [78.5, 79, 78.5, 77.5, 76.8, 78.5, 78, 77, 79, 78.8, 78, 78.2, 77.2, 76.5, 76.8, 79, 78.5, 78, 78.8, 77.8, 77.5, 76.5];
    const s = spread(z5);
    expect(s.sigma.toFixed(1)).toBe('0.8');
    expect(s.range).toBeCloseTo(2.5, 12);
  });

  it('rejects non-finite scores', () => {
    expect(() => ipfReport([1, Number.NaN], [encodeAxis('g', ['a', 'b'])], { g: { a: 0.5, b: 0.5 } })).toThrow(/score of user 2/);
  });
});

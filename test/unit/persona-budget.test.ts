import { describe, expect, it } from 'vitest';
import { allocateBudget, ImportanceError } from '../../shared/persona/budget.ts';

describe('allocateBudget', () => {
  it('normalises and splits the budget proportionally', () => {
    const r = allocateBudget(new Map([['b', 1], ['a', 3], ['c', 0]]), 4096);
    expect(r).toEqual([
      { name: 'a', weight: 0.75, budget: 3072 },
      { name: 'b', weight: 0.25, budget: 1024 },
      { name: 'c', weight: 0, budget: 0 },
    ]);
  });

  it('rounds every share down (floor), so shares never exceed the budget', () => {
    const r = allocateBudget(new Map([['x', 1], ['y', 1], ['z', 1]]), 100);
    expect(r.map((a) => a.budget)).toEqual([33, 33, 33]);
    const odd = allocateBudget(new Map([['p', 2], ['q', 5]]), 4096);
    // 4096 · 5/7 = 2925.71…, 4096 · 2/7 = 1170.28…
    expect(odd.map((a) => [a.name, a.budget])).toEqual([['q', 2925], ['p', 1170]]);
  });

  it('keeps only the 50 most important communities and renormalises over them', () => {
    const importance = new Map(Array.from({ length: 60 }, (_, i) => [`c${String(i + 1).padStart(2, '0')}`, i + 1]));
    const r = allocateBudget(importance, 4096);
    expect(r).toHaveLength(50);
    expect(r[0]!.name).toBe('c60');
    expect(r.at(-1)!.name).toBe('c11');
    const total = (60 * 61) / 2 - (10 * 11) / 2; // 11 + … + 60 = 1775
    expect(r[0]!.weight).toBeCloseTo(60 / total, 12);
    expect(r[0]!.budget).toBe(Math.floor((4096 * 60) / total)); // 138
    expect(r.reduce((s, a) => s + a.weight, 0)).toBeCloseTo(1, 12);
  });

  it('breaks ties by name and treats all-zero importance as uniform', () => {
    const r = allocateBudget(new Map([['zeta', 0], ['alpha', 0]]), 10);
    expect(r).toEqual([
      { name: 'alpha', weight: 0.5, budget: 5 },
      { name: 'zeta', weight: 0.5, budget: 5 },
    ]);
  });

  it('rejects negative, non-finite scores and bad budgets with the community named', () => {
    expect(() => allocateBudget(new Map([['analog', -1]]))).toThrow(ImportanceError);
    expect(() => allocateBudget(new Map([['analog', Number.NaN]]))).toThrow(/"analog"/);
    expect(() => allocateBudget(new Map([['analog', 1]]), 10.5)).toThrow(/whole number/);
  });
});

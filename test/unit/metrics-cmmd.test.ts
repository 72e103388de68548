import { describe, expect, it } from 'vitest';
import { cmmd, cmmdWith } from '../../shared/metrics/cmmd.ts';
import { jsRbfBackend } from '../../shared/metrics/rbf-kernel.ts';
import { embeddingMatrix, fromRows, type EmbeddingMatrix } from '../../shared/metrics/embeddings.ts';

/**
 * The textbook definition, written independently: normalise, k = exp(−‖x−y‖²/(2σ²)), means × scale —
 * biased over the full matrices, or unbiased with the within-set diagonal left out.
 */
function naiveCmmd(x: number[][], y: number[][], sigma = 10, scale = 1000, unbiased = false): number {
  const unit = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((t) => t / n);
  };
  const xs = x.map(unit);
  const ys = y.map(unit);
  const k = (a: number[], b: number[]) => Math.exp(-a.reduce((s, t, i) => s + (t - b[i]!) ** 2, 0) / (2 * sigma * sigma));
  const mean = (as: number[][], bs: number[][]) => as.reduce((s, a) => s + bs.reduce((t, b) => t + k(a, b), 0), 0) / (as.length * bs.length);
  const within = (as: number[][]) => {
    if (!unbiased) return mean(as, as);
    let s = 0;
    for (let i = 0; i < as.length; i++) for (let j = 0; j < as.length; j++) if (i !== j) s += k(as[i]!, as[j]!);
    return s / (as.length * (as.length - 1));
  };
  return scale * (within(xs) + within(ys) - 2 * mean(xs, ys));
}

/**
 * Embeddings are stored as float32 (as CLIP emits them and the reference computes), so agreement with
 * the float64 definition is to float32 precision: ~1e-7 relative.
 */
function expectClose(actual: number, expected: number, relative = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

function random(rows: number, dim: number, seed: number, shift = 0): number[][] {
  let s = seed;
  const next = () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296 - 0.5 + shift;
  };
  return Array.from({ length: rows }, () => Array.from({ length: dim }, next));
}

describe('cmmd', () => {
  it('matches a 2 × 2 example worked by hand', () => {
    // x = {e1, e2}, y = {e1, e1} (given unnormalised). With γ = 1/200 and ‖e1 − e2‖² = 2:
    // mean Kxx = (1 + e^-0.01)/2, mean Kyy = 1, mean Kxy = (1 + e^-0.01)/2 → CMMD = 500 (1 − e^-0.01).
    const r = cmmd(fromRows([[3, 0], [0, 0.5]]), fromRows([[2, 0], [7, 0]]));
    expect(r.cmmd).toBeCloseTo(500 * (1 - Math.exp(-0.01)), 9);
    expect(r).toMatchObject({ n_x: 2, n_y: 2, dim: 2 });
  });

  it('is zero for identical sets and symmetric in its arguments', () => {
    const a = random(9, 5, 1);
    expect(cmmd(fromRows(a), fromRows(a)).cmmd).toBeCloseTo(0, 12);
    const b = random(6, 5, 2, 0.3);
    expect(cmmd(fromRows(a), fromRows(b)).cmmd).toBeCloseTo(cmmd(fromRows(b), fromRows(a)).cmmd, 12);
  });

  it.each([
    [1, 1, 3],
    [7, 10, 4],
    [37, 41, 24], // crosses the 32-row cache tile and leaves partial quads on both sides
    [64, 33, 17],
  ])('agrees with the naive definition for %i × %i rows of dimension %i', (n, m, d) => {
    const x = random(n, d, n * 31 + d);
    const y = random(m, d, m * 17 + 5, 0.2);
    const expected = naiveCmmd(x, y);
    expectClose(cmmd(fromRows(x), fromRows(y)).cmmd, expected);
  });

  it.each([
    [2, 2, 3],
    [7, 10, 4],
    [37, 41, 24],
  ])('gives the unbiased estimator (diagonal out) for %i × %i rows of dimension %i, also through a backend', async (n, m, d) => {
    const x = random(n, d, n * 7 + d);
    const y = random(m, d, m * 3 + 1, 0.2);
    const expected = naiveCmmd(x, y, 10, 1000, true);
    const r = cmmd(fromRows(x), fromRows(y), { estimator: 'unbiased' });
    expect(r.estimator).toBe('unbiased');
    expectClose(r.cmmd, expected);
    expectClose((await cmmdWith(jsRbfBackend, fromRows(x), fromRows(y), { estimator: 'unbiased' })).cmmd, expected);
    // Different from the biased value, which rewards each set for matching itself.
    expect(Math.abs(r.cmmd - naiveCmmd(x, y))).toBeGreaterThan(1e-6);
  });

  it('needs two embeddings per set for the unbiased estimator', () => {
    expect(() => cmmd(fromRows([[1, 0]]), fromRows([[1, 0], [0, 1]]), { estimator: 'unbiased' })).toThrow(/at least 2 embeddings in each set, got 1 and 2/);
  });

  it('honours sigma and scale', () => {
    const x = random(5, 3, 11);
    const y = random(4, 3, 12, 0.4);
    expectClose(cmmd(fromRows(x), fromRows(y), { sigma: 0.7, scale: 1 }).cmmd, naiveCmmd(x, y, 0.7, 1));
  });

  it('gives the same value through the backend interface', async () => {
    const x = fromRows(random(13, 6, 3));
    const y = fromRows(random(8, 6, 4, 0.1));
    expect((await cmmdWith(jsRbfBackend, x, y)).cmmd).toBeCloseTo(cmmd(x, y).cmmd, 12);
  });

  it('rejects mismatched dimensions, zero rows and bad sigma', () => {
    expect(() => cmmd(fromRows([[1, 0]]), fromRows([[1, 0, 0]]))).toThrow(/x embeddings has dimension 2 but y embeddings has 3/);
    expect(() => cmmd(fromRows([[0, 0]]), fromRows([[1, 0]]))).toThrow(/row 0 is all zeros/);
    expect(() => cmmd(fromRows([[1]]), fromRows([[1]]), { sigma: 0 })).toThrow(/sigma must be positive/);
    expect(() => embeddingMatrix(new Float32Array(5), 2, 3) as EmbeddingMatrix).toThrow(/expected 2 × 3 = 6 values, got 5/);
  });
});

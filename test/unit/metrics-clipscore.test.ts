import { describe, expect, it } from 'vitest';
import { clipScore, toHessel } from '../../shared/metrics/clipscore.ts';
import { EmbeddingError, fromRows } from '../../shared/metrics/embeddings.ts';

describe('clipScore', () => {
  it('averages 100·max(cos, 0) over pairs, clamping each pair', () => {
    // cosines: 1, 0, −1/√2 (clamped to 0), and 24/25 for (3,4)·(4,3)
    const images = fromRows([[1, 0], [0, 1], [1, 1], [3, 4]]);
    const texts = fromRows([[2, 0], [5, 0], [-1, 0], [4, 3]]);
    const r = clipScore(images, texts);
    expect(Array.from(r.perPair)).toEqual([100, 0, 0, expect.closeTo(96, 10)]);
    expect(r.score).toBeCloseTo(196 / 4, 10);
    expect(r.pairs).toBe(4);
  });

  it('uses another weight when asked (Hessel et al. 2.5)', () => {
    const r = clipScore(fromRows([[3, 4]]), fromRows([[4, 3]]), { weight: 2.5 });
    expect(r.score).toBeCloseTo(2.4, 12);
  });

  it('names the two scales: raw 100·max(cos, 0) and hessel 100·2.5·max(cos, 0)', () => {
    const images = fromRows([[3, 4], [1, 0]]);
    const texts = fromRows([[4, 3], [-1, 0]]);
    expect(clipScore(images, texts, { scale: 'raw' }).score).toBeCloseTo((96 + 0) / 2, 10);
    expect(clipScore(images, texts, { scale: 'hessel' }).score).toBeCloseTo((240 + 0) / 2, 10);
    expect(toHessel(48)).toBeCloseTo(120, 12);
  });

  it('rejects unpaired sets, mixed dimensions and zero vectors with a clear message', () => {
    expect(() => clipScore(fromRows([[1, 0]]), fromRows([[1, 0], [0, 1]]))).toThrow(/1 image embeddings but 2 text embeddings/);
    expect(() => clipScore(fromRows([[1, 0]]), fromRows([[1, 0, 0]]))).toThrow(/dimension 2 .* has 3/);
    expect(() => clipScore(fromRows([[0, 0]]), fromRows([[1, 0]]))).toThrow(EmbeddingError);
  });

  it('rejects ragged and non-finite rows', () => {
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values but row 0 has 2/);
    expect(() => fromRows([[1, Number.NaN]])).toThrow(/non-finite value at column 1/);
    expect(() => fromRows([])).toThrow(/at least one embedding/);
  });
});

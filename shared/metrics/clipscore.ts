import { assertSameDim, EmbeddingError, type EmbeddingMatrix } from './embeddings.ts';
import { InputError } from '../errors.ts';

/**
 * The two CLIPScore scales in use, as the weight of each pair's clamped cosine:
 * - `raw`: 100 · max(cos, 0) — torchmetrics' ×100 cosine (this project's default);
 * - `hessel`: 100 · 2.5 · max(cos, 0) — Hessel et al.'s CLIP-S (w = 2.5) on the ×100 scale. ViT-L/14
 *   image–caption cosines sit around 0.2–0.3, so the paper's 58–80 (and Table 12's 0.60–0.76) are on
 *   this scale, not raw cosine.
 * One is always 2.5 × the other, pair by pair.
 */
export const CLIPSCORE_SCALES = { raw: 100, hessel: 250 } as const;
export type ClipScoreScale = keyof typeof CLIPSCORE_SCALES;

export interface ClipScoreResult {
  /** Mean over pairs of weight · max(cos, 0). */
  score: number;
  /** The same quantity per pair, in input order. */
  perPair: Float64Array;
  pairs: number;
}

export interface ClipScoreOptions {
  /** Named scale (default `raw`). */
  scale?: ClipScoreScale;
  /** Any other weight of the clamped cosine; overrides `scale`. */
  weight?: number;
}

/**
 * CLIPScore between row i of `images` and row i of `texts`: weight · max(cos(img, text), 0) per pair,
 * then the mean. Clamping per pair (Hessel et al.) rather than clamping the mean (torchmetrics) keeps one
 * anti-aligned pair from cancelling a good one; the two agree whenever every cosine is positive, which
 * is the case for real CLIP image-text pairs.
 */
export function clipScore(images: EmbeddingMatrix, texts: EmbeddingMatrix, options: ClipScoreOptions = {}): ClipScoreResult {
  const weight = options.weight ?? CLIPSCORE_SCALES[options.scale ?? 'raw'];
  if (!(Number.isFinite(weight) && weight > 0)) throw new InputError(`CLIPScore weight must be a positive number, got ${weight}`);
  assertSameDim(images, texts, 'image embeddings', 'text embeddings');
  if (images.rows !== texts.rows) {
    throw new EmbeddingError(
      `got ${images.rows} image embeddings but ${texts.rows} text embeddings; CLIPScore pairs row i with row i`,
    );
  }
  const { dim } = images;
  const perPair = new Float64Array(images.rows);
  let total = 0;
  for (let i = 0; i < images.rows; i++) {
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (let k = i * dim, end = k + dim; k < end; k++) {
      const x = images.data[k]!;
      const y = texts.data[k]!;
      dot += x * y;
      nx += x * x;
      ny += y * y;
    }
    if (nx === 0 || ny === 0) throw new EmbeddingError(`pair ${i} has an all-zero embedding; its cosine is undefined`);
    const s = weight * Math.max(dot / Math.sqrt(nx * ny), 0);
    perPair[i] = s;
    total += s;
  }
  return { score: total / images.rows, perPair, pairs: images.rows };
}

/** A raw-scale score (100 · max(cos, 0)) on the Hessel scale. */
export const toHessel = (raw: number): number => (raw * CLIPSCORE_SCALES.hessel) / CLIPSCORE_SCALES.raw;

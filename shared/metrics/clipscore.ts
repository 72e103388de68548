import { assertSameDim, EmbeddingError, type EmbeddingMatrix } from './embeddings.ts';

export interface ClipScoreResult {
  /** Mean over pairs of weight · max(cos, 0): the paper's CLIPScore ×100 with the default weight. */
  score: number;
  /** The same quantity per pair, in input order. */
  perPair: Float64Array;
  pairs: number;
}

export interface ClipScoreOptions {
  /**
   * Scale of each pair's clamped cosine. 100 gives the paper's and torchmetrics' ×100 scale; Hessel et
   * al.'s original CLIP-S uses 2.5.
   */
  weight?: number;
}

/**
 * CLIPScore between row i of `images` and row i of `texts`: weight · max(cos(img, text), 0) per pair,
 * then the mean. Clamping per pair (Hessel et al.) rather than clamping the mean (torchmetrics) keeps one
 * anti-aligned pair from cancelling a good one; the two agree whenever every cosine is positive, which
 * is the case for real CLIP image-text pairs.
 */
export function clipScore(images: EmbeddingMatrix, texts: EmbeddingMatrix, options: ClipScoreOptions = {}): ClipScoreResult {
  const weight = options.weight ?? 100;
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

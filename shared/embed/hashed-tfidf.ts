import { HashedTfidfConfig, l2normalize, type TextEmbedder } from './types.ts';

/**
 * The offline default embedder: TF-IDF over hashed word n-grams and character n-grams (the "hashing
 * trick", so there is no vocabulary to ship, only one IDF value per bucket). Needs no model weights and no
 * Node APIs, so the browser extension embeds unknown community names exactly as training did.
 *
 * Features of a text: its lower-cased words (Intl.Segmenter, so any script segments correctly), pairs of
 * adjacent words, and character n-grams of each word padded with "<" ">". Each feature adds
 * ±(1 + ln count) · weight to bucket hash(feature) mod dimension, the sign from a second hash bit so
 * collisions cancel on average instead of piling up. Buckets are multiplied by their IDF, then the vector
 * is L2-normalised.
 */

export const HASHED_TFIDF_DEFAULTS = { dimension: 1024, wordNgrams: 2, charNgrams: [3, 4] as [number, number], charWeight: 0.5 };

export type HashedTfidfOptions = Partial<typeof HASHED_TFIDF_DEFAULTS>;

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });

/**
 * Lower-cased word tokens; camelCase and digit boundaries are split first ("RocketLeague2" → rocket league 2).
 * The segmenter runs over whitespace-bounded pieces of at most ~256 characters: words never cross whitespace,
 * and V8's Intl.Segmenter slows down superlinearly on long strings (2.5 s for one 80 k-character comment dump).
 */
export function words(text: string): string[] {
  const spaced = text.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/g, ' ').replace(/_/g, ' ').toLowerCase();
  const out: string[] = [];
  for (let start = 0; start < spaced.length; ) {
    let end = Math.min(spaced.length, start + 256);
    if (end < spaced.length) {
      const space = spaced.lastIndexOf(' ', end);
      if (space > start) end = space;
    }
    for (const s of segmenter.segment(spaced.slice(start, end))) if (s.isWordLike) out.push(s.segment);
    start = end;
  }
  return out;
}

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser so the low and high bits are both well mixed. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

type Config = Omit<HashedTfidfConfig, 'kind' | 'idf'>;

/** Feature strings of one text with their weights (before hashing). */
function features(text: string, cfg: Config): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  const ws = words(text);
  for (let n = 1; n <= cfg.wordNgrams; n++) {
    for (let i = 0; i + n <= ws.length; i++) add(`${n}:${ws.slice(i, i + n).join(' ')}`);
  }
  const [lo, hi] = cfg.charNgrams;
  if (lo > 0 && cfg.charWeight > 0) {
    for (const w of ws) {
      const padded = `<${w}>`;
      for (let n = lo; n <= hi; n++) for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
    }
  }
  const weighted = new Map<string, number>();
  for (const [f, c] of counts) weighted.set(f, (1 + Math.log(c)) * (f.startsWith('c:') ? cfg.charWeight : 1));
  return weighted;
}

/** Sparse hashed term frequencies: bucket → signed weight. */
function hashedTf(text: string, cfg: Config): Map<number, number> {
  const out = new Map<number, number>();
  for (const [f, w] of features(text, cfg)) {
    const h = hash32(f);
    const bucket = h % cfg.dimension;
    const sign = h & 0x80000000 ? -1 : 1;
    out.set(bucket, (out.get(bucket) ?? 0) + sign * w);
  }
  return out;
}

export class HashedTfidfEmbedder implements TextEmbedder {
  readonly dimension: number;
  private readonly idf: Float32Array;

  constructor(private readonly config: HashedTfidfConfig) {
    const parsed = HashedTfidfConfig.parse(config);
    if (parsed.idf.length !== parsed.dimension) {
      throw new Error(`hashed-tfidf config: idf has ${parsed.idf.length} values for dimension ${parsed.dimension}; refit the embedder`);
    }
    this.dimension = parsed.dimension;
    this.idf = Float32Array.from(parsed.idf);
  }

  /** Fits the IDF table on a corpus (e.g. every community description of the training graph). */
  static fit(corpus: readonly string[], options: HashedTfidfOptions = {}): HashedTfidfEmbedder {
    const cfg = { ...HASHED_TFIDF_DEFAULTS, ...options };
    const df = new Float64Array(cfg.dimension);
    for (const text of corpus) for (const bucket of hashedTf(text, cfg).keys()) df[bucket]! += 1;
    // Smoothed IDF (as scikit-learn): a bucket seen everywhere still counts a little, an unseen one most.
    const n = corpus.length;
    const idf = Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
    return new HashedTfidfEmbedder({ kind: 'hashed-tfidf', ...cfg, idf });
  }

  describe(): HashedTfidfConfig {
    return { ...this.config, idf: Array.from(this.idf) };
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    for (const [bucket, w] of hashedTf(text, this.config)) v[bucket] = w * this.idf[bucket]!;
    return l2normalize(v);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../models/encoder/backend.ts';
import { EncoderConfig } from '../../models/encoder/config.ts';
import { buildTrainingSet, listsByUser, splitUsers } from '../../models/encoder/dataset.ts';
import { trainEncoder } from '../../models/encoder/train.ts';
import { InputError } from '../../shared/errors.ts';
import { ingest } from '../../server/encoder/ingest/index.ts';
import { readImageEmbeddings } from '../../server/encoder/train-run.ts';
import { HashedTfidfEmbedder } from '../../shared/embed/hashed-tfidf.ts';

/**
 * The optional objectives: the user ↔ image InfoNCE (λ = 1) and the link-prediction BCE. The vendored data
 * has no image embeddings, so the per-user vectors here embed each user's real comment text
 * (models/data/reddit/user_texts.jsonl) — a stand-in with the same file format and the same role: a second
 * view of the user that the encoder must align with.
 */
const REDDIT = path.resolve(import.meta.dirname, '../../models/data/reddit');
const tmp = mkdtempSync(path.join(tmpdir(), 'zipp-objectives-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('optional training objectives', () => {
  it('trains the user ↔ image term and the link BCE, and their losses go down', async () => {
    const texts = readFileSync(path.join(REDDIT, 'user_texts.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { user: string; text: string })
      .map((t) => ({ user: t.user, text: t.text.slice(0, 3000) }))
      .filter((t) => t.text.split(' ').length >= 5);
    // Word n-grams only (no character n-grams): the texts are long and only need a rough topical vector.
    const embedder = HashedTfidfEmbedder.fit(texts.map((t) => t.text), { dimension: 64, charWeight: 0 });
    const file = path.join(tmp, 'images.jsonl');
    writeFileSync(file, texts.map((t) => JSON.stringify({ user: t.user, embedding: Array.from(embedder.embedOne(t.text)) })).join('\n'));
    const images = readImageEmbeddings(file);
    expect(images.size).toBeGreaterThan(300);

    const { interactions, labels } = await ingest({ inputs: [path.join(REDDIT, 'interactions.csv')] });
    const sample = interactions.filter((r) => /[0-3]$/.test(r.user) || images.has(r.user));
    const split = splitUsers(sample, { holdoutShare: 0, validationShare: 0.05, seed: 5 });
    const set = await buildTrainingSet(split.train, {
      minCommunityUsers: 2,
      minCommunityActivity: 1,
      labels,
      embedder: async (t) => HashedTfidfEmbedder.fit(t, { dimension: 128 }),
    });
    await initBackend('wasm');
    const cfg = EncoderConfig.parse({ hidden: 16, epochs: 3, batchSize: 256, linkWeight: 0.5, imageWeight: 1, seed: 5, patience: 10 });
    const result = await trainEncoder({ cfg, set, validation: listsByUser(split.validation), images, fingerprint: 'objectives' });
    const h = result.history;
    expect(h.every((e) => e.imageLoss > 0 && e.linkLoss > 0)).toBe(true);
    expect(h.at(-1)!.imageLoss).toBeLessThan(h[0]!.imageLoss);
    expect(h.at(-1)!.linkLoss).toBeLessThan(h[0]!.linkLoss);
    expect(result.trainer.weights().get('image_head.kernel')![0]).toEqual([16, 64]);
    result.trainer.dispose();
  }, 120_000);

  it('names the bad line of an image embedding file', () => {
    const file = path.join(tmp, 'bad.jsonl');
    writeFileSync(file, '{"user": "a", "embedding": [1, 0]}\n{"user": "b", "embedding": [1, 0, 0]}\n');
    expect(() => readImageEmbeddings(file)).toThrow(InputError);
    expect(() => readImageEmbeddings(file)).toThrow(/bad\.jsonl:2: embedding has 3 values, earlier lines 2/);
  });
});

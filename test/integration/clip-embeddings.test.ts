import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipScore } from '../../shared/metrics/clipscore.ts';
import { ClipEmbedder } from '../../server/eval/clip.ts';
import { InputError } from '../../shared/errors.ts';
import { writeTinyClip } from '../../server/eval/tiny-clip.ts';
import { encodePng, solidPng } from '../helpers/png.ts';

// A randomly initialised CLIP-shaped model with the real export's files, loaded by the same code a
// ViT-L/14 from the hub goes through (transformers.js tokenizer, image processor, onnxruntime-node).
const dir = mkdtempSync(join(tmpdir(), 'zipp-tiny-clip-'));
let clip: ClipEmbedder;

beforeAll(async () => {
  await writeTinyClip(dir, { seed: 7 });
  clip = ClipEmbedder.create({ model: dir, batchSize: 3 });
});
afterAll(() => clip.dispose());

const rowOf = (m: { dim: number; data: Float32Array }, i: number) => Array.from(m.data.subarray(i * m.dim, (i + 1) * m.dim));

describe('CLIP text embeddings', () => {
  it('equal a direct onnxruntime run on the token ids CLIP assigns', async () => {
    const { vocab } = (await import(join(dir, 'tokenizer.json'), { with: { type: 'json' } })).default.model as { vocab: Record<string, number> };
    const ids = ['<|startoftext|>', 'the</w>', 'cat</w>', 'and</w>', 'the</w>', 'dog</w>', '<|endoftext|>'].map((t) => BigInt(vocab[t]!));
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'text_model.onnx'));
    const direct = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [1, ids.length]) });
    await session.release();
    const viaClip = await clip.embedTexts(['The cat and   the DOG']);
    expect(viaClip.rows).toBe(1);
    expect(viaClip.dim).toBe(8);
    rowOf(viaClip, 0).forEach((v, i) => expect(v).toBeCloseTo((direct.text_embeds!.data as Float32Array)[i]!, 5));
  });

  it('pools at the end-of-text token, so padding and batch size do not change a text\'s embedding', async () => {
    const texts = ['a cat', 'a much longer description of a dog in the rain', 'the dog', 'x', 'of the and'];
    const batched = await clip.embedTexts(texts);
    const single = ClipEmbedder.create({ model: dir, batchSize: 1 });
    const one = await single.embedTexts(texts);
    await single.dispose();
    for (let i = 0; i < texts.length; i++) rowOf(batched, i).forEach((v, k) => expect(v).toBeCloseTo(rowOf(one, i)[k]!, 5));
    expect(rowOf(batched, 0)).not.toEqual(rowOf(batched, 2));
  });

  it('truncates to the 77-token context as CLIP does', async () => {
    // "x" is one token: 200 of them and 75 of them both become [start, 75 × x, end].
    const m = await clip.embedTexts(['x '.repeat(200), 'x '.repeat(75), 'x '.repeat(74)]);
    expect(rowOf(m, 0)).toEqual(rowOf(m, 1));
    expect(rowOf(m, 0)).not.toEqual(rowOf(m, 2));
  });

  it('reports progress per batch', async () => {
    const seen: [number, number][] = [];
    await clip.embedTexts(['a', 'b', 'c', 'd', 'e'], (done, total) => seen.push([done, total]));
    expect(seen).toEqual([[3, 5], [5, 5]]);
  });
});

describe('CLIP image embeddings', () => {
  it('equal a direct onnxruntime run on CLIP-normalised pixels of a real PNG', async () => {
    // A 32 × 32 solid image needs no resize or crop; the processor only rescales and normalises.
    const colour: [number, number, number] = [200, 30, 90];
    const mean = [0.48145466, 0.4578275, 0.40821073];
    const std = [0.26862954, 0.26130258, 0.27577711];
    const pixels = new Float32Array(3 * 32 * 32);
    for (let c = 0; c < 3; c++) pixels.fill((colour[c]! / 255 - mean[c]!) / std[c]!, c * 1024, (c + 1) * 1024);
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'));
    const direct = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, 32, 32]) });
    await session.release();
    const viaClip = await clip.embedImages([solidPng(32, 32, colour)]);
    rowOf(viaClip, 0).forEach((v, i) => expect(v).toBeCloseTo((direct.image_embeds!.data as Float32Array)[i]!, 4));
  });

  it('reads bytes and files alike, resizes any size, and tells images apart', async () => {
    const gradient = new Uint8Array(48 * 40 * 3).map((_, i) => (i * 7) % 256);
    const png = encodePng(48, 40, gradient);
    const path = join(dir, 'g.png');
    writeFileSync(path, png);
    const m = await clip.embedImages([png, path, solidPng(64, 64, [10, 200, 10])]);
    expect(m.rows).toBe(3);
    expect(rowOf(m, 0)).toEqual(rowOf(m, 1));
    expect(rowOf(m, 0)).not.toEqual(rowOf(m, 2));
    // And the embeddings feed CLIPScore directly.
    const texts = await clip.embedTexts(['a gradient', 'a gradient', 'green']);
    const s = clipScore(m, texts);
    expect(s.score).toBeGreaterThanOrEqual(0);
    expect(s.score).toBeLessThanOrEqual(100);
  });

  it('says which image could not be decoded', async () => {
    await expect(clip.embedImages([solidPng(8, 8, [1, 2, 3]), new Uint8Array([1, 2, 3, 4])])).rejects.toThrow(/image #2 could not be decoded .*give PNG, JPEG or WebP/);
    await expect(clip.embedImages([join(dir, 'nope.png')])).rejects.toThrow(InputError);
  });
});

describe('ClipEmbedder.create', () => {
  it('rejects a directory that is not a model', () => {
    expect(() => ClipEmbedder.create({ model: tmpdir() })).toThrow(/has no config\.json; point at a transformers\.js CLIP export/);
    expect(() => ClipEmbedder.create({ model: dir, batchSize: 0 })).toThrow(/batch size/);
  });

  it('treats a name that is not a directory as a hub id (the default is ViT-L/14)', () => {
    expect(ClipEmbedder.create({}, {}).model).toBe('Xenova/clip-vit-large-patch14');
    expect(ClipEmbedder.create({}, { ZIPP_CLIP_MODEL: 'Xenova/clip-vit-base-patch32' }).model).toBe('Xenova/clip-vit-base-patch32');
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModelDir } from '../../models/encoder/artifact.ts';
import { initBackend } from '../../models/encoder/backend.ts';
import { EncoderConfig } from '../../models/encoder/config.ts';
import { buildTrainingSet, listsByUser, splitUsers, type TrainingSet } from '../../models/encoder/dataset.ts';
import { evaluateCases, trainEncoder, type TrainResult } from '../../models/encoder/train.ts';
import { leaveOneOutCases, MetricAccumulator } from '../../shared/encoder/evaluation.ts';
import type { Trainer } from '../../models/encoder/trainer.ts';
import { NoTextFeatures } from '../../shared/embed/no-text-features.ts';
import type { PreparedBatch } from '../../shared/encoder/inputs.ts';
import { NoKnownCommunityError } from '../../shared/encoder/inputs.ts';
import { ingest } from '../../server/encoder/ingest/index.ts';
import { HashedTfidfEmbedder } from '../../shared/embed/hashed-tfidf.ts';
import type { TextEmbedder } from '../../shared/embed/types.ts';
import { CommunityEncoder, ModelMismatchError, type OrtModule } from '../../shared/encoder/encoder.ts';
import { MODEL_FILES, ONNX_IO } from '../../shared/encoder/manifest.ts';
import type { CommunityActivity } from '../../shared/schemas/community.ts';
import type { Interaction } from '../../shared/graph/bipartite.ts';

/**
 * TF.js (the training-time model) vs onnxruntime-node vs onnxruntime-web (WASM, in Node) on real Reddit
 * users, including communities outside the vocabulary: the exported graph must compute the same thing.
 * Also: a seed gives bit-identical weights, and --resume reaches the same weights as an uninterrupted run.
 */
const REDDIT = path.resolve(import.meta.dirname, '../../models/data/reddit');
const REDDIT_DENSE = path.resolve(import.meta.dirname, '../../models/data/reddit-dense');
const cfg = EncoderConfig.parse({ hidden: 16, epochs: 2, batchSize: 256, validationUsers: 50, seed: 3 });

let dir: string;
let set: TrainingSet & { embedder: TextEmbedder };
let result: TrainResult;
let heldout: Map<string, CommunityActivity[]>;
let validation: Map<string, CommunityActivity[]>;

/** A quarter of the real users (by the last hex digit of their hashed id), to keep the test fast. */
function sample(rows: Interaction[]): Interaction[] {
  return rows.filter((r) => /[0-3]$/.test(r.user));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'zipp-parity-'));
  const { interactions, labels } = await ingest({ inputs: [path.join(REDDIT, 'interactions.csv')] });
  const split = splitUsers(sample(interactions), { holdoutShare: 0.1, validationShare: 0.05, seed: cfg.seed });
  set = await buildTrainingSet(split.train, {
    minCommunityUsers: 2,
    minCommunityActivity: 1,
    labels,
    embedder: async (texts) => HashedTfidfEmbedder.fit(texts, { dimension: 256 }),
  });
  heldout = listsByUser(split.holdout);
  validation = listsByUser(split.validation);
  await initBackend('wasm');
  result = await trainEncoder({ cfg, set, validation, fingerprint: 'parity' });
  await writeModelDir({ dir, cfg, trainer: result.trainer, set, embedder: set.embedder, edgeScale: result.edgeScale, training: {} });
  ortWeb.env.wasm.numThreads = 1;
}, 120_000);

afterAll(() => {
  result?.trainer.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function openWith(ort: OrtModule): Promise<CommunityEncoder> {
  return CommunityEncoder.create({
    ort,
    model: new Uint8Array(readFileSync(path.join(dir, MODEL_FILES.onnx))),
    manifest: JSON.parse(readFileSync(path.join(dir, MODEL_FILES.manifest), 'utf8')),
    embedder: set.embedder,
  });
}

/** TF.js reference outputs on a prepared batch vs each ONNX runtime: embeddings and attention to 1e-4. */
async function expectSameOutputs(trainer: Trainer, batch: PreparedBatch, encoders: CommunityEncoder[]): Promise<void> {
  const { layers, heads } = trainer.cfg;
  const tables = trainer.tables();
  const extra = trainer.data.featureDim > 0 ? { features: batch.extraFeatures, rows: batch.extraCount } : undefined;
  const ref = trainer.encode(tables, batch.neighbourhood, extra);
  tables.values.forEach((t) => t.dispose());
  tables.embeddings.dispose();
  tables.prior.dispose();
  const refAttention = new Float32Array(ref.attention.length * ref.attention[0]!.length);
  // TF.js gives per layer [B, K, heads]; ONNX [B, layers, heads, K].
  const { batch: B, width: K } = batch.neighbourhood;
  ref.attention.forEach((a, l) => {
    for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) for (let h = 0; h < heads; h++) refAttention[((b * layers + l) * heads + h) * K + k] = a[(b * K + k) * heads + h]!;
  });
  for (const encoder of encoders) {
    const out = await encoder.run(batch);
    expect(out.embeddings.length).toBe(ref.embeddings.length);
    let maxDiff = 0;
    out.embeddings.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref.embeddings[i]!))));
    out.attention.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - refAttention[i]!))));
    expect(maxDiff).toBeLessThan(1e-4);
  }
}

describe('exported encoder parity', () => {
  it('TF.js, onnxruntime-node and onnxruntime-web agree to 1e-4 on real held-out users', async () => {
    const known = (list: CommunityActivity[]) => list.filter((a) => set.graph.communityIndex.has(a.name)).length;
    const users = [...heldout.values()].filter((l) => known(l) >= 1).slice(0, 40);
    // Make sure unknown communities are exercised: one invented name, plus whatever the sample prunes.
    users[0] = [...users[0]!, { name: 'zipp_parity_unseen_community', posts: 1, comments: 2 }];
    const node = await openWith(ortNode as unknown as OrtModule);
    const web = await openWith(ortWeb as unknown as OrtModule);
    const batch = await node.prepare(users);
    expect(batch.slots.flat().some((s) => s.index === undefined)).toBe(true);

    await expectSameOutputs(result.trainer, batch, [node, web]);
    // Attention over each user's real communities sums to 1 per layer and head; padding gets none.
    const [first] = await node.encode([users[1]!]);
    for (let l = 0; l < cfg.layers; l++)
      for (let h = 0; h < cfg.heads; h++) expect(first!.communities.reduce((s, c) => s + c.attention[l]![h]!, 0)).toBeCloseTo(1, 5);
    await node.release();
    await web.release();
  });

  it('batched validation ranking (training) gives the same metrics as ranking the exported model per user', async () => {
    const cases = leaveOneOutCases(heldout, { size: set.graph.communities.length, lookup: (n) => set.graph.communityIndex.get(n) }, 11);
    const lists = cases.map((c) => c.input.flatMap((a) => (set.graph.communityIndex.has(a.name) ? [{ index: set.graph.communityIndex.get(a.name)!, posts: a.posts, comments: a.comments }] : [])));
    const tables = result.trainer.tables();
    const batched = evaluateCases(result.trainer, tables, cases, lists, set, result.edgeScale);
    tables.values.forEach((t) => t.dispose());
    tables.embeddings.dispose();
    tables.prior.dispose();
    const node = await CommunityEncoder.create({
      ort: ortNode as unknown as OrtModule,
      model: new Uint8Array(readFileSync(path.join(dir, MODEL_FILES.onnx))),
      manifest: JSON.parse(readFileSync(path.join(dir, MODEL_FILES.manifest), 'utf8')),
      communityEmbeddings: new Float32Array(readFileSync(path.join(dir, MODEL_FILES.communityEmbeddings)).buffer.slice(0)),
    });
    const acc = new MetricAccumulator();
    const known = lists.map((l) => l.map((e) => ({ name: set.graph.communities[e.index]!, posts: e.posts, comments: e.comments })));
    const encoded = await node.encode(known);
    encoded.forEach((u, i) => acc.add(node.scores(u), cases[i]!));
    const perUser = acc.result();
    expect(cases.length).toBeGreaterThan(30);
    for (const k of ['mrr', 'hit@10', 'posting_accuracy'] as const) expect(batched.metrics[k]).toBeCloseTo(perUser[k], 3);
    expect(batched.loss).toBeGreaterThan(0);
    await node.release();
  });

  it('refuses a vocabulary from another run', async () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, MODEL_FILES.manifest), 'utf8'));
    manifest.communities.names = [...manifest.communities.names.slice(1), 'zzz'];
    await expect(
      CommunityEncoder.create({ ort: ortNode as unknown as OrtModule, model: new Uint8Array(readFileSync(path.join(dir, MODEL_FILES.onnx))), manifest }),
    ).rejects.toThrow(ModelMismatchError);
  });
});

describe('reproducible training', () => {
  it('gives identical weights for a seed, and --resume continues to the same weights', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const small = EncoderConfig.parse({ ...cfg, epochs: 2 });
    const weightsOf = (r: TrainResult) => {
      const w = r.trainer.weights();
      r.trainer.dispose();
      return w;
    };
    const again = weightsOf(await trainEncoder({ cfg: small, set, validation, fingerprint: 'parity' }));
    const first = result.trainer.weights();
    for (const [name, [, data]] of first) expect(Array.from(again.get(name)![1]), name).toEqual(Array.from(data));

    // Stop after epoch 1, then resume to epoch 2 from the checkpoint.
    const ckpt = path.join(dir, 'ckpt');
    weightsOf(await trainEncoder({ cfg: EncoderConfig.parse({ ...small, epochs: 1 }), set, validation, fingerprint: 'parity', checkpointDir: ckpt }));
    const resumed = await trainEncoder({ cfg: small, set, validation, fingerprint: 'parity', checkpointDir: ckpt, resume: true });
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2]);
    const resumedWeights = weightsOf(resumed);
    for (const [name, [, data]] of first) expect(Array.from(resumedWeights.get(name)![1]), name).toEqual(Array.from(data));
    await expect(trainEncoder({ cfg: small, set, validation, fingerprint: 'other-data', checkpointDir: ckpt, resume: true })).rejects.toThrow(/other data or settings/);
    // Every trainer made here was disposed, the failed one included: nothing leaked.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 120_000);
});

describe('structure-only encoder (--embedder none)', () => {
  it('trains on anonymous community ids, exports without a text path, agrees across runtimes and ignores unknown ids', async () => {
    const { interactions, labels } = await ingest({ inputs: [path.join(REDDIT_DENSE, 'interactions.csv')] });
    // Users u00000–u00599 of the dense graph: ~9,600 edges, enough for a vocabulary of real co-membership.
    const rows = interactions.filter((r) => /^u00[0-5]/.test(r.user));
    const split = splitUsers(rows, { holdoutShare: 0.1, validationShare: 0.05, seed: 5 });
    const ids = await buildTrainingSet(split.train, { minCommunityUsers: 2, minCommunityActivity: 1, labels, embedder: async () => new NoTextFeatures() });
    expect(ids.featureDim).toBe(0);
    const small = EncoderConfig.parse({ ...cfg, epochs: 1, propagation: 1, negatives: 'vocabulary', maskRate: 0.3 });
    const trained = await trainEncoder({ cfg: small, set: ids, validation: listsByUser(split.validation), fingerprint: 'structure-only' });
    const out = mkdtempSync(path.join(tmpdir(), 'zipp-structure-only-'));
    try {
      expect(trained.trainer.weights().has('input.kernel')).toBe(false);
      await writeModelDir({ dir: out, cfg: small, trainer: trained.trainer, set: ids, embedder: ids.embedder, edgeScale: trained.edgeScale, training: {} });
      const manifest = JSON.parse(readFileSync(path.join(out, MODEL_FILES.manifest), 'utf8'));
      expect(manifest.embedder).toEqual({ kind: 'none' });
      expect(manifest.architecture.featureDim).toBe(0);
      const model = new Uint8Array(readFileSync(path.join(out, MODEL_FILES.onnx)));
      const session = await ortNode.InferenceSession.create(model);
      expect(session.inputNames).toEqual([ONNX_IO.ids, ONNX_IO.edges, ONNX_IO.mask]);
      await session.release();
      const open = (ort: OrtModule) => CommunityEncoder.create({ ort, model, manifest });
      const node = await open(ortNode as unknown as OrtModule);
      const web = await open(ortWeb as unknown as OrtModule);
      const users = [...listsByUser(split.holdout).values()].filter((l) => l.some((a) => ids.graph.communityIndex.has(a.name))).slice(0, 30);
      users[0] = [...users[0]!, { name: 's99999', posts: 0, comments: 4 }];
      const batch = await node.prepare(users);
      // No invented features: the unknown id is reported, not encoded.
      expect(batch.slots.flat().every((s) => s.index !== undefined)).toBe(true);
      expect(batch.ignored[0]).toContain('s99999');
      await expectSameOutputs(trained.trainer, batch, [node, web]);
      await expect(node.encode([[{ name: 's99999', posts: 0, comments: 1 }]])).rejects.toThrow(NoKnownCommunityError);
      await expect(node.encode([[{ name: 's99999', posts: 0, comments: 1 }]])).rejects.toThrow(/structure-only model .* cannot embed a community it never saw/);
      await node.release();
      await web.release();
    } finally {
      trained.trainer.dispose();
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
  it('with co-membership votes: training-time validation and the exported model rank alike, and the votes change the ranking', async () => {
    const { interactions, labels } = await ingest({ inputs: [path.join(REDDIT_DENSE, 'interactions.csv')] });
    const rows = interactions.filter((r) => /^u00[0-5]/.test(r.user));
    const split = splitUsers(rows, { holdoutShare: 0.1, validationShare: 0.05, seed: 5 });
    const ids = await buildTrainingSet(split.train, { minCommunityUsers: 2, minCommunityActivity: 1, labels, embedder: async () => new NoTextFeatures() });
    const small = EncoderConfig.parse({ ...cfg, epochs: 2, negatives: 'vocabulary', votes: 8 });
    const trained = await trainEncoder({ cfg: small, set: ids, validation: listsByUser(split.validation), fingerprint: 'votes' });
    const out = mkdtempSync(path.join(tmpdir(), 'zipp-votes-'));
    try {
      await writeModelDir({ dir: out, cfg: small, trainer: trained.trainer, set: ids, embedder: ids.embedder, edgeScale: trained.edgeScale, training: {} });
      const manifest = JSON.parse(readFileSync(path.join(out, MODEL_FILES.manifest), 'utf8'));
      expect(manifest.votes).toEqual({ k: 8 });
      const vocab = { size: ids.graph.communities.length, lookup: (n: string) => ids.graph.communityIndex.get(n) };
      const cases = leaveOneOutCases(listsByUser(split.holdout), vocab, 11);
      const lists = cases.map((c) => c.input.flatMap((a) => (ids.graph.communityIndex.has(a.name) ? [{ index: ids.graph.communityIndex.get(a.name)!, posts: a.posts, comments: a.comments }] : [])));
      const tables = trained.trainer.tables();
      const batched = evaluateCases(trained.trainer, tables, cases, lists, ids, trained.edgeScale);
      const withoutVotes = evaluateCases(trained.trainer, { ...tables, votes: null }, cases, lists, ids, trained.edgeScale);
      tables.values.forEach((t) => t.dispose());
      tables.embeddings.dispose();
      tables.prior.dispose();
      const { decodeVotes } = await import('../../shared/encoder/votes.ts');
      const node = await CommunityEncoder.create({
        ort: ortNode as unknown as OrtModule,
        model: new Uint8Array(readFileSync(path.join(out, MODEL_FILES.onnx))),
        manifest,
        communityEmbeddings: new Float32Array(readFileSync(path.join(out, MODEL_FILES.communityEmbeddings)).buffer.slice(0)),
        communityVotes: decodeVotes(new Uint8Array(readFileSync(path.join(out, MODEL_FILES.communityVotes))), vocab.size),
      });
      const acc = new MetricAccumulator();
      const known = lists.map((l) => l.map((e) => ({ name: ids.graph.communities[e.index]!, posts: e.posts, comments: e.comments })));
      (await node.encode(known)).forEach((u, i) => acc.add(node.scores(u), cases[i]!));
      const perUser = acc.result();
      expect(cases.length).toBeGreaterThan(30);
      for (const k of ['mrr', 'hit@10'] as const) expect(batched.metrics[k]).toBeCloseTo(perUser[k], 3);
      expect(batched.metrics.mrr).not.toBeCloseTo(withoutVotes.metrics.mrr, 3);
      // A manifest that lists votes cannot rank without them.
      const bare = await CommunityEncoder.create({ ort: ortNode as unknown as OrtModule, model: new Uint8Array(readFileSync(path.join(out, MODEL_FILES.onnx))), manifest, communityEmbeddings: new Float32Array(readFileSync(path.join(out, MODEL_FILES.communityEmbeddings)).buffer.slice(0)) });
      const [user] = await bare.encode([known[0]!]);
      expect(() => bare.scores(user!)).toThrow(/community-votes.bin was not loaded/);
      await node.release();
      await bare.release();
    } finally {
      trained.trainer.dispose();
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

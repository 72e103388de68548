import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../models/encoder/backend.ts';
import { loadCheckpoint, saveCheckpoint, stageCheckpoint } from '../../models/encoder/checkpoint.ts';
import { EncoderConfig } from '../../models/encoder/config.ts';
import { Trainer } from '../../models/encoder/trainer.ts';

/**
 * A training process can be killed at any instruction. Whatever it had written of the next checkpoint,
 * `--resume` must find the weights, optimizer state and history of one and the same epoch.
 */
const cfg = EncoderConfig.parse({ hidden: 8, heads: 2, seed: 1 });
const data = { features: Float32Array.from({ length: 5 * 4 }, (_, i) => Math.sin(i)), featureDim: 4, communities: 5 };
const state = (epoch: number) => ({ epoch, rng: [1, 2, 3, epoch] as [number, number, number, number], bestEpoch: epoch, bestScore: -epoch, history: [], fingerprint: 'f' });
const shifted = (w: Map<string, [number[], Float32Array]>, by: number) => new Map([...w].map(([k, [shape, v]]) => [k, [shape, v.map((x) => x + by)] as [number[], Float32Array]]));
const asArrays = (w: Map<string, [number[], Float32Array]>) => Object.fromEntries([...w].map(([k, [, v]]) => [k, Array.from(v)]));

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(path.join(tmpdir(), 'zipp-ckpt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('encoder checkpoints', () => {
  it('resume after a kill while the next epoch was being written gets the last complete epoch', async () => {
    const trainer = new Trainer(cfg, data);
    const epoch1 = trainer.weights();
    await saveCheckpoint(dir, trainer, epoch1, state(1));

    // Epoch 2's files land, then the process dies before state.json is replaced.
    trainer.setWeights(shifted(epoch1, 1));
    const staged = await stageCheckpoint(dir, trainer, trainer.weights(), state(2));

    const resumed = new Trainer(cfg, data);
    const loaded = await loadCheckpoint(dir, resumed, 'f');
    expect(loaded.state.epoch).toBe(1);
    expect(asArrays(resumed.weights())).toEqual(asArrays(epoch1));
    expect(asArrays(loaded.best)).toEqual(asArrays(epoch1));

    // Once committed, epoch 2 is what resumes, and epoch 1's files are gone.
    staged.commit();
    const again = new Trainer(cfg, data);
    const second = await loadCheckpoint(dir, again, 'f');
    expect(second.state.epoch).toBe(2);
    expect(asArrays(again.weights())).toEqual(asArrays(shifted(epoch1, 1)));
    expect(readdirSync(dir).sort()).toEqual(['average.e0002.bin', 'best.e0002.bin', 'optimizer.e0002.bin', 'state.json', 'weights.e0002.bin']);
    for (const t of [trainer, resumed, again]) t.dispose();
  });

  it('refuses a checkpoint from other data with the fix', async () => {
    const trainer = new Trainer(cfg, data);
    await expect(loadCheckpoint(dir, trainer, 'other')).rejects.toThrow(/other data or settings; drop --resume/);
    trainer.dispose();
  });
});

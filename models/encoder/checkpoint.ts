import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RankingMetrics } from '../../shared/encoder/evaluation.ts';
import { packWeights, unpackWeights, type WeightIndex } from './params.ts';
import type { Trainer } from './trainer.ts';

/**
 * Training state on disk, written after every epoch so `--resume` continues where a run stopped with
 * the same result it would have reached uninterrupted: weights, Adam moments, the PRNG state, the epoch
 * history and the best weights so far (early stopping keeps those).
 */
export interface EpochRecord {
  epoch: number;
  loss: number;
  imageLoss: number;
  linkLoss: number;
  validation: RankingMetrics;
  /** Mean cross-entropy of the hidden community on the validation users. */
  validationLoss: number;
  seconds: number;
  edgesPerSecond: number;
}

export interface CheckpointState {
  version: 1;
  epoch: number;
  rng: [number, number, number, number];
  bestEpoch: number;
  /** −validation loss or validation MRR, per EncoderConfig.selectBy (higher is better). */
  bestScore: number;
  history: EpochRecord[];
  /** Fingerprint of data + config: a checkpoint from another setup is refused. */
  fingerprint: string;
  weights: WeightIndex[];
  optimizer: WeightIndex[];
  best: WeightIndex[];
  average: WeightIndex[];
}

const FILES = { state: 'state.json', weights: 'weights.bin', optimizer: 'optimizer.bin', best: 'best.bin', average: 'average.bin' };

function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

export async function saveCheckpoint(
  dir: string,
  trainer: Trainer,
  best: Map<string, [number[], Float32Array]>,
  state: Omit<CheckpointState, 'version' | 'weights' | 'optimizer' | 'best' | 'average'>,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const weights = packWeights(trainer.weights());
  const named = await trainer.optimizer.getWeights();
  const opt = packWeights(new Map(named.map(({ name, tensor }) => [name, [tensor.shape.slice(), tensor.dataSync() as Float32Array]])));
  named[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the moments are the optimizer's own variables
  const bestPacked = packWeights(best);
  const average = packWeights(trainer.averagedWeights());
  writeAtomic(path.join(dir, FILES.average), average.data);
  writeAtomic(path.join(dir, FILES.weights), weights.data);
  writeAtomic(path.join(dir, FILES.optimizer), opt.data);
  writeAtomic(path.join(dir, FILES.best), bestPacked.data);
  // The state file goes last: it is what marks the checkpoint complete.
  writeAtomic(path.join(dir, FILES.state), JSON.stringify({ version: 1, ...state, weights: weights.index, optimizer: opt.index, best: bestPacked.index, average: average.index }));
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, FILES.state));
}

export async function loadCheckpoint(dir: string, trainer: Trainer, fingerprint: string): Promise<{ state: CheckpointState; best: Map<string, [number[], Float32Array]> }> {
  const state = JSON.parse(readFileSync(path.join(dir, FILES.state), 'utf8')) as CheckpointState;
  if (state.version !== 1) throw new Error(`${dir}: unknown checkpoint version`);
  if (state.fingerprint !== fingerprint) {
    throw new Error(`${dir}: the checkpoint was made with other data or settings; drop --resume or point --checkpoint-dir elsewhere`);
  }
  trainer.setWeights(unpackWeights(state.weights, readFileSync(path.join(dir, FILES.weights))));
  trainer.setAveragedWeights(unpackWeights(state.average, readFileSync(path.join(dir, FILES.average))));
  const opt = unpackWeights(state.optimizer, readFileSync(path.join(dir, FILES.optimizer)));
  const named = [...opt].map(([name, [shape, data]]) => ({ name, tensor: tf.tensor(data, shape) }));
  await trainer.optimizer.setWeights(named);
  named.forEach((n) => n.tensor.dispose()); // setWeights copies them into its own variables
  return { state, best: unpackWeights(state.best, readFileSync(path.join(dir, FILES.best))) };
}

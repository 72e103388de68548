import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  /** Training steps of the epoch (sampling included). */
  seconds: number;
  /** The epoch's validation pass (absent in checkpoints written before it was recorded). */
  validationSeconds?: number;
  edgesPerSecond: number;
}

export interface CheckpointState {
  /** 1: fixed file names (read for compatibility); 2: per-epoch file names. */
  version: 1 | 2;
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

const STATE_FILE = 'state.json';
/** The data files of one checkpoint; their names carry the epoch (see stageCheckpoint). */
const PARTS = ['weights', 'optimizer', 'best', 'average'] as const;
type Part = (typeof PARTS)[number];

function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/** Version 1 checkpoints used fixed names, overwritten in place; version 2 names them per epoch. */
function partFile(part: Part, epoch: number | undefined): string {
  return epoch === undefined ? `${part}.bin` : `${part}.e${String(epoch).padStart(4, '0')}.bin`;
}

/** A checkpoint whose data files are on disk but not yet pointed to by `state.json`. */
export interface StagedCheckpoint {
  /** Writes `state.json` (atomically) to point at this epoch's files, then removes older epochs' files. */
  commit(): void;
}

/**
 * Writes the data files of a checkpoint under names of their own (`weights.e0007.bin`, …), leaving the
 * current `state.json` and the files it names untouched. Why: a process killed between writing new
 * weights and the state that describes them must resume from a consistent pair. With fixed names the
 * new weights would replace the old ones while `state.json` still said the previous epoch.
 */
export async function stageCheckpoint(
  dir: string,
  trainer: Trainer,
  best: Map<string, [number[], Float32Array]>,
  state: Omit<CheckpointState, 'version' | 'weights' | 'optimizer' | 'best' | 'average'>,
): Promise<StagedCheckpoint> {
  mkdirSync(dir, { recursive: true });
  const named = await trainer.optimizer.getWeights();
  const packed: Record<Part, { index: WeightIndex[]; data: Uint8Array }> = {
    weights: packWeights(trainer.weights()),
    optimizer: packWeights(new Map(named.map(({ name, tensor }) => [name, [tensor.shape.slice(), tensor.dataSync() as Float32Array]]))),
    best: packWeights(best),
    average: packWeights(trainer.averagedWeights()),
  };
  named[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the moments are the optimizer's own variables
  for (const part of PARTS) writeAtomic(path.join(dir, partFile(part, state.epoch)), packed[part].data);
  return {
    commit() {
      const full: CheckpointState = {
        version: 2,
        ...state,
        weights: packed.weights.index,
        optimizer: packed.optimizer.index,
        best: packed.best.index,
        average: packed.average.index,
      };
      // The state file goes last: it is what marks the checkpoint complete.
      writeAtomic(path.join(dir, STATE_FILE), JSON.stringify(full));
      const keep = new Set(PARTS.map((part) => partFile(part, state.epoch)));
      for (const name of readdirSync(dir)) {
        if (/^(weights|optimizer|best|average)(\.e\d+)?\.bin(\.tmp)?$/.test(name) && !keep.has(name)) rmSync(path.join(dir, name), { force: true });
      }
    },
  };
}

/** Stages and commits a checkpoint: after it returns, `--resume` continues from `state.epoch`. */
export async function saveCheckpoint(
  dir: string,
  trainer: Trainer,
  best: Map<string, [number[], Float32Array]>,
  state: Omit<CheckpointState, 'version' | 'weights' | 'optimizer' | 'best' | 'average'>,
): Promise<void> {
  (await stageCheckpoint(dir, trainer, best, state)).commit();
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, STATE_FILE));
}

export async function loadCheckpoint(dir: string, trainer: Trainer, fingerprint: string): Promise<{ state: CheckpointState; best: Map<string, [number[], Float32Array]> }> {
  const state = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as CheckpointState;
  if (state.version !== 1 && state.version !== 2) throw new Error(`${dir}: unknown checkpoint version ${String(state.version)}; drop --resume or point --checkpoint-dir elsewhere`);
  const read = (part: Part) => readFileSync(path.join(dir, partFile(part, state.version === 2 ? state.epoch : undefined)));
  if (state.fingerprint !== fingerprint) {
    throw new Error(`${dir}: the checkpoint was made with other data or settings; drop --resume or point --checkpoint-dir elsewhere`);
  }
  trainer.setWeights(unpackWeights(state.weights, read('weights')));
  trainer.setAveragedWeights(unpackWeights(state.average, read('average')));
  const opt = unpackWeights(state.optimizer, read('optimizer'));
  const named = [...opt].map(([name, [shape, data]]) => ({ name, tensor: tf.tensor(data, shape) }));
  await trainer.optimizer.setWeights(named);
  named.forEach((n) => n.tensor.dispose()); // setWeights copies them into its own variables
  return { state, best: unpackWeights(state.best, read('best')) };
}

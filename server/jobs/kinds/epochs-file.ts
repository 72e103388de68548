import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Beside a training job's checkpoint: one line `{epoch, improved}` per epoch, appended by the training
 * process before that epoch's checkpoint is written. The checkpoint's history is the truth about which
 * epochs are done; this file adds what it does not keep (whether the epoch improved on the best so far),
 * so the server can record an epoch as a unit from the checkpoint alone when it never heard of it.
 * (A module of its own: the worker module starts listening for its parent when imported.)
 */
const EPOCHS_FILE = 'epochs.jsonl';

export function appendEpochFlag(checkpointDir: string, epoch: number, improved: boolean): void {
  mkdirSync(checkpointDir, { recursive: true });
  appendFileSync(path.join(checkpointDir, EPOCHS_FILE), `${JSON.stringify({ epoch, improved })}\n`);
}

/** epoch → improved; the last line for an epoch wins (a resumed run may train one again). */
export function readEpochFlags(checkpointDir: string): Map<number, boolean> {
  const flags = new Map<number, boolean>();
  const file = path.join(checkpointDir, EPOCHS_FILE);
  if (!existsSync(file)) return flags;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const f = JSON.parse(line) as { epoch: number; improved: boolean };
      flags.set(f.epoch, f.improved);
    } catch {
      // an empty line, or one cut off by a crash: the epoch it was about is not in the checkpoint yet
    }
  }
  return flags;
}

/**
 * The child process that trains an encoder for an `encoder-train` job (forked by encoder-train.ts), so
 * TensorFlow.js never blocks the server's event loop and a cancel or shutdown can stop it at once. It
 * talks to the parent over IPC only: one `start` message in; `log`, `progress`, `epoch`, `done` or
 * `error` messages out. If the parent dies (even by SIGKILL) this exits, so a restarted server never races
 * an orphan over the same checkpoint.
 */
import type { EpochRecord } from '../../../models/encoder/checkpoint.ts';
import { runTraining, type TrainRunOptions } from '../../encoder/train-run.ts';
import { crashPoint } from './crash-point.ts';
import { appendEpochFlag } from './epochs-file.ts';

export type WorkerRequest = { type: 'start'; options: Omit<TrainRunOptions, 'progress' | 'log'> };
export type WorkerMessage =
  | { type: 'log'; line: string }
  | { type: 'progress'; done: number; total: number; epoch: number; loss: number; edgesPerSecond: number }
  /** An epoch whose checkpoint is on disk: it will not be trained again, whatever happens next. */
  | { type: 'epoch'; record: EpochRecord; improved: boolean }
  | { type: 'done'; result: unknown }
  | { type: 'error'; message: string };

/**
 * Training runs synchronously between callbacks and never yields to the event loop, so the IPC channel's
 * 'disconnect' would arrive too late; instead every callback checks that the parent is still the parent
 * (an orphan is re-parented, and `process.ppid` reads the live value).
 */
const parent = process.ppid;
const parentAlive = () => {
  if (process.ppid !== parent) process.exit(1);
};
const send = (m: WorkerMessage) => {
  parentAlive();
  process.send?.(m);
};

process.on('disconnect', () => process.exit(1));
process.once('message', async (request: WorkerRequest) => {
  // trainEncoder reports an epoch and then writes its checkpoint; the epoch is passed on only once the
  // next event shows the checkpoint is written.
  let pending: { record: EpochRecord; improved: boolean } | undefined;
  const flush = () => {
    if (pending) {
      crashPoint('checkpointed', pending.record.epoch, [parent]);
      send({ type: 'epoch', ...pending });
      crashPoint('sent', pending.record.epoch, [parent]);
    }
    pending = undefined;
  };
  const { checkpointDir } = request.options;
  let total = 0;
  let perEpoch = 1;
  let lastProgress = 0;
  try {
    const run = await runTraining({
      ...request.options,
      log: (line) => send({ type: 'log', line }),
      progress: {
        start: (totalSteps, stepsPerEpoch) => {
          total = totalSteps;
          perEpoch = stepsPerEpoch;
        },
        step: (done, info) => {
          parentAlive();
          flush();
          if (done - (info.epoch - 1) * perEpoch === Math.ceil(perEpoch / 2)) crashPoint('step', info.epoch, [parent]);
          const now = Date.now();
          if (now - lastProgress < 200 && done < total) return;
          lastProgress = now;
          send({ type: 'progress', done, total, ...info });
        },
        epoch: (record, improved) => {
          if (checkpointDir) appendEpochFlag(checkpointDir, record.epoch, improved);
          crashPoint('epoch-end', record.epoch, [parent]);
          pending = { record, improved };
        },
        stop: flush,
      },
    });
    flush();
    send({
      type: 'done',
      result: {
        bestEpoch: run.result.bestEpoch,
        epochsRun: run.result.history.length,
        stoppedEarly: run.result.stoppedEarly,
        edgesPerSecond: Math.round(run.result.edgesPerSecond),
        vocabulary: run.vocabulary,
        split: run.split,
        files: run.files,
        validation: run.result.bestValidation ?? null,
        evaluation: run.evaluation ?? null,
      },
    });
  } catch (err) {
    send({ type: 'error', message: (err as Error)?.message ?? String(err) });
  }
  process.disconnect?.();
});

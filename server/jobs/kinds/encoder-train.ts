import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EncoderConfig } from '../../../models/encoder/config.ts';
import { PACKAGE_ROOT } from '../../runtime/package-paths.ts';
import { WorkError } from '../../../shared/errors.ts';
import type { JobContext, JobKind } from '../kind.ts';
import type { EpochRecord } from '../../../models/encoder/checkpoint.ts';
import { crashPoint } from './crash-point.ts';
import type { WorkerMessage, WorkerRequest } from './encoder-train-worker.ts';
import { readEpochFlags } from './epochs-file.ts';

const WORKER = fileURLToPath(new URL('./encoder-train-worker.ts', import.meta.url));

/** Hyperparameters a client may set; everything else keeps the shipped model's defaults (models/encoder/config.ts). */
export const TrainSettings = z.strictObject({
  epochs: EncoderConfig.shape.epochs.unwrap().optional(),
  seed: EncoderConfig.shape.seed.unwrap().optional(),
  hidden: EncoderConfig.shape.hidden.unwrap().optional(),
  heads: EncoderConfig.shape.heads.unwrap().optional(),
  layers: EncoderConfig.shape.layers.unwrap().optional(),
  batchSize: EncoderConfig.shape.batchSize.unwrap().optional(),
  learningRate: EncoderConfig.shape.learningRate.unwrap().optional(),
  patience: EncoderConfig.shape.patience.unwrap().optional(),
  maxNeighbours: EncoderConfig.shape.maxNeighbours.unwrap().optional(),
  validationShare: EncoderConfig.shape.validationShare.unwrap().optional(),
});

/** A training job as stored: input files already resolved inside the data directory. */
export const EncoderTrainParams = z.object({
  interactions: z.array(z.string()).min(1),
  communities: z.string().optional(),
  config: TrainSettings.default({}),
  holdoutShare: z.number().min(0).max(0.5).default(0.1),
  minCommunityUsers: z.number().int().min(1).default(2),
  minCommunityActivity: z.number().int().min(0).default(5),
  /** Reddit's name rule for every input (zipp encoder train --reddit-names); by default only for Reddit sources. */
  redditNames: z.boolean().default(false),
  skipEvaluation: z.boolean().default(false),
});
export type EncoderTrainParams = z.infer<typeof EncoderTrainParams>;

/**
 * Records every epoch the checkpoint holds that the job has no unit for, and returns how many it added.
 * The checkpoint is written before the server hears of its epoch, so a crash between the two (or an IPC
 * message lost with the server) leaves an epoch trained and saved but unrecorded; the resumed run starts
 * after it and never reports it again. The checkpoint's history is the truth: the job's units are made to
 * match it, with the improved flags from the worker's epochs file (null when an older build left none).
 */
export function recordCheckpointedEpochs(ctx: Pick<JobContext<unknown>, 'finishedUnits' | 'saveUnit'>, checkpointDir: string): number {
  const stateFile = path.join(checkpointDir, 'state.json');
  if (!existsSync(stateFile)) return 0;
  const { history } = JSON.parse(readFileSync(stateFile, 'utf8')) as { history: EpochRecord[] };
  const improved = readEpochFlags(checkpointDir);
  const done = ctx.finishedUnits();
  let added = 0;
  for (const record of history) {
    if (done.has(record.epoch)) continue;
    ctx.saveUnit(record.epoch, { ...record, improved: improved.get(record.epoch) ?? null });
    added++;
  }
  return added;
}

/** Where a training job writes its model: <data>/models/<job id>/, downloadable via /v1/encoder/models/<job id>/. */
export const modelDirOf = (dataDir: string, jobId: string) => path.join(dataDir, 'models', jobId);

/**
 * Encoder training as a durable job. The run happens in a child process (encoder-train-worker.ts) that
 * checkpoints after every epoch into the job's directory; each checkpointed epoch is also recorded as a
 * unit. A job cut off by a crash or shutdown resumes from its last checkpoint, so finished epochs are
 * neither lost nor trained again. Cancelling kills the child.
 */
export function encoderTrainKind(dataDir: string): JobKind<EncoderTrainParams> {
  return {
    kind: 'encoder-train',
    description: 'train a community encoder (one unit per checkpointed epoch)',
    params: EncoderTrainParams,
    concurrency: 1,
    total: (p) => p.config.epochs ?? EncoderConfig.shape.epochs.parse(undefined),
    run: (ctx) =>
      new Promise((resolve, reject) => {
        const checkpointDir = path.join(ctx.jobDir(), 'checkpoint');
        const out = modelDirOf(dataDir, ctx.job.id);
        const resume = existsSync(path.join(checkpointDir, 'state.json'));
        const epochs = ctx.params.config.epochs ?? EncoderConfig.shape.epochs.parse(undefined);
        const recovered = recordCheckpointedEpochs(ctx, checkpointDir);
        if (recovered > 0) ctx.log.warn('recorded epochs the checkpoint held but the job had not recorded (the last run was cut off in between)', { epochs: recovered });
        const done = ctx.finishedUnits();
        ctx.progress({
          done: done.size,
          total: epochs,
          message: resume ? `resuming from the checkpoint after epoch ${Math.max(0, ...done)}` : 'reading the interactions',
        });
        if (resume) ctx.log.info('training resumes from its checkpoint', { epochsDone: done.size });

        // `--import tsx` (resolved from the package root) runs the TypeScript worker as the server runs.
        const child = fork(WORKER, [], {
          cwd: PACKAGE_ROOT,
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          ctx.signal.removeEventListener('abort', onAbort);
          fn();
        };
        const onAbort = () => {
          child.kill('SIGKILL');
          finish(() => reject(ctx.signal.reason));
        };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        // A shutdown waits for the epoch in progress to be checkpointed (up to the grace period, after
        // which `signal` aborts), so the next start resumes with as little work lost as possible.
        const stopAtCheckpoint = () => {
          child.kill('SIGKILL');
          finish(() => reject(ctx.stopping.reason));
        };

        child.on('message', (m: WorkerMessage) => {
          switch (m.type) {
            case 'log':
              ctx.log.info(m.line);
              ctx.progress({ message: m.line });
              break;
            case 'progress':
              ctx.progress({
                message: `epoch ${m.epoch}/${epochs}: loss ${m.loss.toFixed(4)}, ${Math.round(m.edgesPerSecond)} edges/s`,
                metrics: { step: m.done, steps: m.total, loss: m.loss, edgesPerSecond: m.edgesPerSecond },
              });
              break;
            case 'epoch':
              // A resumed run never reports an epoch it already finished; the check guards the promise anyway.
              if (!ctx.finishedUnits().has(m.record.epoch)) ctx.saveUnit(m.record.epoch, { ...m.record, improved: m.improved });
              crashPoint('recorded', m.record.epoch, [child.pid]);
              ctx.progress({ message: `epoch ${m.record.epoch}/${epochs}: validation MRR ${m.record.validation.mrr.toFixed(4)}` });
              if (ctx.stopping.aborted) stopAtCheckpoint();
              break;
            case 'done':
              recordCheckpointedEpochs(ctx, checkpointDir); // the record matches the checkpoint, whatever IPC did
              finish(() => resolve({ model: ctx.job.id, dir: path.relative(dataDir, out), ...(m.result as object) }));
              break;
            case 'error':
              finish(() => reject(new WorkError(m.message, { code: 'training_failed' })));
              break;
          }
        });
        child.on('exit', (code, signal) => {
          finish(() => reject(new WorkError(`the training process exited (${signal ?? code}) before finishing: ${stderr.trim().split('\n').at(-1) ?? ''}`, { code: 'training_failed' })));
        });
        const request: WorkerRequest = {
          type: 'start',
          options: {
            interactions: ctx.params.interactions,
            ...(ctx.params.communities ? { communities: ctx.params.communities } : {}),
            out,
            config: ctx.params.config,
            holdoutShare: ctx.params.holdoutShare,
            minCommunityUsers: ctx.params.minCommunityUsers,
            minCommunityActivity: ctx.params.minCommunityActivity,
            redditNames: ctx.params.redditNames,
            skipEvaluation: ctx.params.skipEvaluation,
            checkpointDir,
            resume,
          },
        };
        child.send(request);
      }),
  };
}

import type { z } from 'zod';
import type { Logger } from '../runtime/logger.ts';
import type { Job, JobProgress, JobUnit } from '../../shared/api/jobs.ts';
import { KnownError } from '../../shared/errors.ts';

/** What a running job can see and do. Everything it records here survives a kill -9. */
export interface JobContext<P> {
  job: Job;
  params: P;
  /**
   * Aborted when the job must stop now: cancelled (reason 'cancelled'), or a shutdown whose grace period
   * ran out (reason 'shutdown').
   */
  signal: AbortSignal;
  /**
   * Aborted when the server starts shutting down: start no new unit, finish (and record) the ones in
   * flight or reach the next checkpoint, then throw `stopping.reason`. `signal` follows if that takes
   * longer than the shutdown grace period.
   */
  stopping: AbortSignal;
  /** True when an earlier run of this job was cut off: resume from `checkpoint` / skip finished units. */
  resumed: boolean;
  /** The last value passed to saveCheckpoint, from any earlier run. */
  checkpoint: unknown;
  saveCheckpoint(checkpoint: unknown): void;
  /** Reports progress: sent to event listeners at once, written to the database at most a few times a second. */
  progress(update: Partial<JobProgress>): void;
  /** Units finished by any run of this job. */
  finishedUnits(): Set<number>;
  /** Every finished unit with its stored result, in unit order. */
  units(): JobUnit[];
  /** Records one finished unit (and bumps progress.done) in one transaction. */
  saveUnit(unit: number, result: unknown): void;
  /** A directory that belongs to this job alone, under the data directory (created on first use). */
  jobDir(): string;
  log: Logger;
}

/** One kind of job: how to validate its parameters, how many may run at once, and how to run it. */
export interface JobKind<P = unknown> {
  kind: string;
  description: string;
  params: z.ZodType<P>;
  /** Default number of jobs of this kind running at once (the server's --concurrency flag overrides it). */
  concurrency: number;
  /** How many units the job has, known up front (0 when unknown). */
  total(params: P): number;
  /** Does the work; the value returned is stored as the job's result. */
  run(ctx: JobContext<P>): Promise<unknown>;
}

/**
 * How a failure is recorded on a job, or on one unit of a batch job: an error raised on purpose keeps its
 * API code and its one line (shared/errors.ts); anything else keeps its own string code (Node's ENOSPC…)
 * or is `job_failed`, with its first line.
 */
export function jobError(err: unknown): { code: string; message: string } {
  if (err instanceof KnownError) return { code: err.apiCode, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  return { code: typeof code === 'string' ? code : 'job_failed', message: message.split('\n')[0]! };
}

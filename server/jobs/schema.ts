import { z } from 'zod';

/**
 * A job's life: queued → running → succeeded | failed | cancelled. A server that dies while a job runs
 * finds it `running` on the next start, marks it `interrupted` and queues it again; the job then resumes
 * from its checkpoint (training) or skips the units it had finished (batches).
 */
export const JobStatus = z.enum(['queued', 'running', 'interrupted', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
export const isTerminal = (s: JobStatus) => TERMINAL_STATUSES.includes(s);

export const JobProgress = z.object({
  /** Units finished (batch items, training epochs). */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Free-form progress line, e.g. "epoch 3/10 loss 1.234". */
  message: z.string().optional(),
  /** Numbers worth plotting (loss, items/s). */
  metrics: z.record(z.string(), z.number()).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const JobError = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof JobError>;

/** A job as the API returns it. */
export const Job = z.object({
  id: z.string(),
  kind: z.string(),
  status: JobStatus,
  params: z.unknown(),
  progress: JobProgress,
  result: z.unknown().optional(),
  error: JobError.optional(),
  /** How many times the job started running (1 + resumes). */
  attempts: z.number().int(),
  /** How many times a server stop (crash or shutdown) cut the job off. */
  interruptions: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof Job>;

/** One finished unit of a job (a batch item, a training epoch), stored the moment it finishes. */
export const JobUnit = z.object({ unit: z.number().int(), result: z.unknown(), finishedAt: z.string() });
export type JobUnit = z.infer<typeof JobUnit>;

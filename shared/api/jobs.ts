import { z } from 'zod';
import { parseSseEvent } from './sse-event.ts';

/**
 * Jobs as the API shows them (`/v1/jobs…`, `/v1/events`), stored as the server's job store keeps them.
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

/** `{id}` of /v1/jobs/{id}…, and of the job-named resources (/v1/bench/{id}/…, /v1/encoder/models/{id}). */
export const JOB_ID = /^job_[a-z0-9]{20}$/;
export const JobId = z.string().regex(JOB_ID, 'a job id looks like job_ followed by 20 letters/digits');
export const JobParams = z.strictObject({ id: JobId });

export const JobListQuery = z.strictObject({
  status: JobStatus.optional(),
  kind: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.iso.datetime({ message: "an ISO timestamp (a job's createdAt) to page from" }).optional(),
});
export type JobListQuery = z.output<typeof JobListQuery>;

export const UnitsQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const JobList = z.object({ jobs: z.array(Job) });
export const UnitList = z.object({ units: z.array(JobUnit), total: z.number().int() });

/**
 * The events of `GET /v1/events` (`ready` with the recent jobs, then `job` on every change of any job) and
 * of `GET /v1/jobs/{id}/events` (`job` only). Every event's data is one JSON document.
 */
export const JobEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ready'), data: JobList }),
  z.object({ event: z.literal('job'), data: Job }),
]);
export type JobEvent = z.infer<typeof JobEvent>;

/** One received SSE message as a typed job event; undefined for a name or a shape it does not know. */
export const parseJobEvent = (event: string | undefined, data: string): JobEvent | undefined => parseSseEvent(JobEvent, event, data);

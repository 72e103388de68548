import type { Hono } from 'hono';
import { z } from 'zod';
import { isTerminal, Job, JobStatus, JobUnit } from '../../jobs/schema.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../../http/errors.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';
import { sseStream } from './sse.ts';

const JobId = z.strictObject({ id: z.string().regex(/^job_[a-z0-9]{20}$/, 'a job id looks like job_ followed by 20 letters/digits') });

const ListQuery = z.strictObject({
  status: JobStatus.optional(),
  kind: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.iso.datetime({ message: 'an ISO timestamp (a job\'s createdAt) to page from' }).optional(),
});

const UnitsQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const JobList = z.object({ jobs: z.array(Job) });
export const UnitList = z.object({ units: z.array(JobUnit), total: z.number().int() });

const jobEvent = (job: Job) => ({ event: 'job', id: `${job.id}:${job.updatedAt}`, data: JSON.stringify(job) });

export function jobRoutes(app: Hono<AppEnv>, docs: ApiDocs, s: AppServices): void {
  const { pool } = s;
  const find = (id: string) => {
    const job = pool.store.get(id);
    if (!job) throw new ApiError(404, 'not_found', `no job ${id}; list jobs with GET /v1/jobs`, 'id');
    return job;
  };

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/jobs',
      tag: 'jobs',
      summary: 'Jobs, newest first (filter by status or kind; page with before=<createdAt>)',
      query: ListQuery,
      responses: { 200: { description: 'jobs', schema: JobList } },
    },
    (c, { query }) => c.json({ jobs: pool.store.list(query) }),
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/events',
      tag: 'jobs',
      summary: 'Server-sent events: every job change (event "job", data = the job) until the client leaves',
      responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
    },
    (c) =>
      sseStream(c, s, async (stream, closed) => {
        const unsubscribe = pool.events.subscribe(undefined, (job) => void stream.writeSSE(jobEvent(job)).catch(() => {}));
        try {
          await stream.writeSSE({ event: 'ready', data: JSON.stringify({ jobs: pool.store.list({ limit: 50 }) }) });
          await closed;
        } finally {
          unsubscribe();
        }
      }),
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/jobs/:id',
      tag: 'jobs',
      summary: 'One job: status, progress, result or error, attempts and interruptions',
      params: JobId,
      responses: { 200: { description: 'the job', schema: Job } },
    },
    (c, { params }) => c.json(find(params.id)),
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/jobs/:id/units',
      tag: 'jobs',
      summary: "A job's finished units in order (batch items with their results, training epochs)",
      params: JobId,
      query: UnitsQuery,
      responses: { 200: { description: 'units', schema: UnitList } },
    },
    (c, { params, query }) => {
      find(params.id);
      return c.json({ units: pool.store.units(params.id, query.offset, query.limit), total: pool.store.unitCount(params.id) });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/jobs/:id/events',
      tag: 'jobs',
      summary: 'Server-sent events for one job: event "job" with the whole job on every change; ends when it finishes',
      params: JobId,
      responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
    },
    (c, { params }) => {
      find(params.id);
      return sseStream(c, s, async (stream, closed) => {
        let finished!: () => void;
        const done = new Promise<void>((resolve) => (finished = resolve));
        // Subscribe before reading the snapshot so no update can fall between the two.
        const unsubscribe = pool.events.subscribe(params.id, (job) => {
          void stream.writeSSE(jobEvent(job)).catch(() => {});
          if (isTerminal(job.status)) finished();
        });
        try {
          const job = find(params.id);
          await stream.writeSSE(jobEvent(job));
          if (isTerminal(job.status)) return;
          await Promise.race([done, closed]);
        } finally {
          unsubscribe();
        }
      });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'delete',
      path: '/v1/jobs/:id',
      tag: 'jobs',
      summary: 'Cancel a job: at once if waiting; a running one stops at its next safe point (202)',
      params: JobId,
      responses: {
        200: { description: 'the job was waiting and is now cancelled', schema: Job },
        202: { description: 'the running job was asked to stop; watch its events', schema: Job },
        409: { description: 'the job has already finished' },
      },
    },
    (c, { params }) => {
      const before = find(params.id);
      if (isTerminal(before.status)) {
        throw new ApiError(409, 'conflict', `job ${params.id} already ${before.status}; nothing to cancel`, 'id');
      }
      const job = pool.cancel(params.id)!;
      return c.json(job, job.status === 'cancelled' ? 200 : 202);
    },
  );
}

import { isTerminal, Job, JobList, JobListQuery, JobParams, type JobEvent, UnitList, UnitsQuery } from '../../../shared/api/jobs.ts';
import { ApiError } from '../../http/errors.ts';
import { apiRoute, jsonResponse, otherResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';
import { sseStream } from './sse.ts';

/** One event as server-sent-event fields, typed by the shared union; a `job` event's id lets a client tell updates apart. */
const sse = (e: JobEvent) => ({ event: e.event, data: JSON.stringify(e.data), ...(e.event === 'job' ? { id: `${e.data.id}:${e.data.updatedAt}` } : {}) });
const jobEvent = (job: Job) => sse({ event: 'job', data: job });

export function jobRoutes(app: ApiApp, s: AppServices): void {
  const { pool } = s;
  const find = (id: string) => {
    const job = pool.store.get(id);
    if (!job) throw new ApiError(404, 'not_found', `no job ${id}; list jobs with GET /v1/jobs`, 'id');
    return job;
  };

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/jobs',
      tags: ['jobs'],
      summary: 'Jobs, newest first (filter by status or kind; page with before=<createdAt>)',
      request: { query: JobListQuery },
      responses: { 200: jsonResponse('jobs', JobList) },
    }),
    (c) => c.json({ jobs: pool.store.list(c.req.valid('query')) }, 200),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/events',
      tags: ['jobs'],
      summary: 'Server-sent events: every job change (event "job", data = the job) until the client leaves',
      description: 'First `ready` ({jobs}: the recent ones), then `job` on every change. The events are `JobEvent` in shared/api/jobs.ts.',
      responses: { 200: otherResponse('an event stream', 'text/event-stream') },
    }),
    (c) =>
      sseStream(c, s, async (stream, closed) => {
        const unsubscribe = pool.events.subscribe(undefined, (job) => void stream.writeSSE(jobEvent(job)).catch(() => {}));
        try {
          await stream.writeSSE(sse({ event: 'ready', data: { jobs: pool.store.list({ limit: 50 }) } }));
          await closed;
        } finally {
          unsubscribe();
        }
      }),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/jobs/{id}',
      tags: ['jobs'],
      summary: 'One job: status, progress, result or error, attempts and interruptions',
      request: { params: JobParams },
      responses: { 200: jsonResponse('the job', Job) },
    }),
    (c) => c.json(find(c.req.valid('param').id), 200),
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/jobs/{id}/units',
      tags: ['jobs'],
      summary: "A job's finished units in order (batch items with their results, training epochs)",
      request: { params: JobParams, query: UnitsQuery },
      responses: { 200: jsonResponse('units', UnitList) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      find(id);
      return c.json({ units: pool.store.units(id, query.offset, query.limit), total: pool.store.unitCount(id) }, 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/jobs/{id}/events',
      tags: ['jobs'],
      summary: 'Server-sent events for one job: event "job" with the whole job on every change; ends when it finishes',
      request: { params: JobParams },
      responses: { 200: otherResponse('an event stream', 'text/event-stream') },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      find(id);
      return sseStream(c, s, async (stream, closed) => {
        let finished!: () => void;
        const done = new Promise<void>((resolve) => (finished = resolve));
        // Subscribe before reading the snapshot so no update can fall between the two.
        const unsubscribe = pool.events.subscribe(id, (job) => {
          void stream.writeSSE(jobEvent(job)).catch(() => {});
          if (isTerminal(job.status)) finished();
        });
        try {
          const job = find(id);
          await stream.writeSSE(jobEvent(job));
          if (isTerminal(job.status)) return;
          await Promise.race([done, closed]);
        } finally {
          unsubscribe();
        }
      });
    },
  );

  app.openapi(
    apiRoute({
      method: 'delete',
      path: '/v1/jobs/{id}',
      tags: ['jobs'],
      summary: 'Cancel a job: at once if waiting; a running one stops at its next safe point (202)',
      request: { params: JobParams },
      responses: {
        200: jsonResponse('the job was waiting and is now cancelled', Job),
        202: jsonResponse('the running job was asked to stop; watch its events', Job),
        409: { description: 'the job has already finished' },
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const before = find(id);
      if (isTerminal(before.status)) {
        throw new ApiError(409, 'conflict', `job ${id} already ${before.status}; nothing to cancel`, 'id');
      }
      const job = pool.cancel(id)!;
      return job.status === 'cancelled' ? c.json(job, 200) : c.json(job, 202);
    },
  );
}

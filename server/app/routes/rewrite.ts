import { Job } from '../../../shared/api/jobs.ts';
import { RewriteBatchBody, RewriteBody, RewriteQuery } from '../../../shared/api/rewrite.ts';
import type { RewriteEvent } from '../../../shared/api/rewrite-events.ts';
import { RewriteResult } from '../../../shared/schemas/rewrite.ts';
import { rewrite } from '../adapters/rewrite.ts';
import { toApiError } from '../../http/to-api-error.ts';
import { apiRoute, jsonBody, jsonResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';
import { sseStream } from './sse.ts';

/** One event of the stream as server-sent-event fields, typed by the shared union. */
const sse = (e: RewriteEvent) => ({ event: e.event, data: JSON.stringify(e.data) });

export function rewriteRoutes(app: ApiApp, s: AppServices): void {
  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/rewrite',
      tags: ['rewrite'],
      summary: 'Rewrite a text-to-image prompt, with or without a persona (any method of the core)',
      description:
        'Answers like `zipp rewrite --json`. With `?stream=true` or `Accept: text/event-stream` the answer is server-sent events: ' +
        '`delta` ({text}) as the LLM writes, then `result` (the same object as the JSON answer) or `error` ({error}). ' +
        '`syntax` (default `auto`) keeps image-site syntax byte for byte: Midjourney image URLs and `--parameters`, `::` weights, Stable Diffusion `(word:1.2)`, `[from:to:when]`, `<lora:…>`, `embedding:…`, `BREAK`. ' +
        'When the core asks the LLM again (an empty or echoed answer, or the subject guard), a `restart` event ({attempt}) comes first and the new attempt streams its own deltas: drop what was shown; `result` is the answer that counts. The events are `RewriteEvent` in shared/api/rewrite-events.ts.',
      request: { query: RewriteQuery, body: jsonBody(RewriteBody) },
      responses: {
        200: {
          description: 'the rewritten prompt (JSON), or an event stream when streaming',
          content: { 'application/json': { schema: RewriteResult }, 'text/event-stream': { schema: { type: 'string' } } },
        },
        502: { description: 'the LLM failed (llm_error)' },
        503: { description: 'no LLM configured (llm_not_configured)' },
      },
    }),
    async (c) => {
      const given = c.req.valid('json');
      const query = c.req.valid('query');
      s.llm.client(); // 503 before any stream starts
      // Site syntax (Midjourney parameters, SD weights, LoRA tags) survives unless the client says otherwise.
      const body = { ...given, syntax: given.syntax ?? 'auto' };
      const streaming = query.stream || (c.req.header('accept') ?? '').includes('text/event-stream');
      if (!streaming) return c.json(await rewrite(s.llm, body, { signal: c.get('signal') }), 200);
      return sseStream(c, s, async (stream, closed) => {
        const controller = new AbortController();
        void closed.then(() => controller.abort(new Error('client disconnected')));
        try {
          const result = await rewrite(s.llm, body, {
            signal: controller.signal,
            onDelta: (text) => void stream.writeSSE(sse({ event: 'delta', data: { text } })).catch(() => {}),
            onAttempt: (attempt) => void stream.writeSSE(sse({ event: 'restart', data: { attempt } })).catch(() => {}),
          });
          await stream.writeSSE(sse({ event: 'result', data: result }));
        } catch (err) {
          if (controller.signal.aborted) return;
          await stream.writeSSE(sse({ event: 'error', data: toApiError(err).body() }));
        }
      });
    },
  );

  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/rewrite/batch',
      tags: ['rewrite'],
      summary: 'Rewrite many prompts as a durable job (one unit per item; survives a server restart)',
      description: 'Results per item: GET /v1/jobs/{id}/units. Send an Idempotency-Key so a retried POST does not start a second job.',
      request: { body: jsonBody(RewriteBatchBody) },
      responses: { 202: jsonResponse('the queued job', Job) },
    }),
    (c) => {
      s.llm.client(); // 503 now rather than a failed job later
      const job = s.pool.enqueue('rewrite-batch', c.req.valid('json'));
      return c.json(job, 202, { Location: `/v1/jobs/${job.id}` });
    },
  );
}

import type { Hono } from 'hono';
import { z } from 'zod';
import { RewriteRequest, RewriteResult } from '../../../shared/schemas/rewrite.ts';
import { Job } from '../../jobs/schema.ts';
import { RewriteBatchParams } from '../../jobs/kinds/rewrite-batch.ts';
import { rewrite } from '../adapters/rewrite.ts';
import type { AppEnv } from '../env.ts';
import { toApiError } from '../../http/to-api-error.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';
import { sseStream } from './sse.ts';

/** The body is exactly the core's RewriteRequest; unknown fields are refused rather than ignored. */
const RewriteBody = z.strictObject(RewriteRequest.shape);
const RewriteQuery = z.strictObject({
  stream: z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1'),
});

export function rewriteRoutes(app: Hono<AppEnv>, docs: ApiDocs, s: AppServices): void {
  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: '/v1/rewrite',
      tag: 'rewrite',
      summary: 'Rewrite a text-to-image prompt, with or without a persona (any method of the core)',
      description:
        'Answers like `zipp rewrite --json`. With `?stream=true` or `Accept: text/event-stream` the answer is server-sent events: ' +
        '`delta` ({text}) as the LLM writes, then `result` (the same object as the JSON answer) or `error` ({error}). ' +
        '`syntax` (default `auto`) keeps image-site syntax byte for byte: Midjourney image URLs and `--parameters`, `::` weights, Stable Diffusion `(word:1.2)`, `[from:to:when]`, `<lora:…>`, `embedding:…`, `BREAK`. ' +
        'When the core asks the LLM again (an empty or echoed answer, or the subject guard), a `restart` event ({attempt}) comes first and the new attempt streams its own deltas: drop what was shown; `result` is the answer that counts. The events are `RewriteEvent` in shared/api/rewrite-events.ts.',
      query: RewriteQuery,
      body: RewriteBody,
      responses: {
        200: { description: 'the rewritten prompt (JSON), or an event stream when streaming', schema: RewriteResult },
        502: { description: 'the LLM failed (llm_error)' },
        503: { description: 'no LLM configured (llm_not_configured)' },
      },
    },
    async (c, { body: given, query }) => {
      s.llm.client(); // 503 before any stream starts
      // Site syntax (Midjourney parameters, SD weights, LoRA tags) survives unless the client says otherwise.
      const body = { ...given, syntax: given.syntax ?? 'auto' };
      const streaming = query.stream || (c.req.header('accept') ?? '').includes('text/event-stream');
      if (!streaming) return c.json(await rewrite(s.llm, body, { signal: c.get('signal') }));
      return sseStream(c, s, async (stream, closed) => {
        const controller = new AbortController();
        void closed.then(() => controller.abort(new Error('client disconnected')));
        try {
          const result = await rewrite(s.llm, body, {
            signal: controller.signal,
            onDelta: (text) => void stream.writeSSE({ event: 'delta', data: JSON.stringify({ text }) }).catch(() => {}),
            onAttempt: (attempt) => void stream.writeSSE({ event: 'restart', data: JSON.stringify({ attempt }) }).catch(() => {}),
          });
          await stream.writeSSE({ event: 'result', data: JSON.stringify(result) });
        } catch (err) {
          if (controller.signal.aborted) return;
          await stream.writeSSE({ event: 'error', data: JSON.stringify(toApiError(err).body()) });
        }
      });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: '/v1/rewrite/batch',
      tag: 'rewrite',
      summary: 'Rewrite many prompts as a durable job (one unit per item; survives a server restart)',
      description: 'Results per item: GET /v1/jobs/{id}/units. Send an Idempotency-Key so a retried POST does not start a second job.',
      body: RewriteBatchParams,
      responses: { 202: { description: 'the queued job', schema: Job } },
    },
    (c, { body }) => {
      s.llm.client(); // 503 now rather than a failed job later
      const job = s.pool.enqueue('rewrite-batch', body);
      return c.json(job, 202, { Location: `/v1/jobs/${job.id}` });
    },
  );
}

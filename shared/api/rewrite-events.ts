import { z } from 'zod';
import { parseSseEvent } from './sse-event.ts';
import { RewriteResult } from '../schemas/rewrite.ts';
import { ErrorBody } from './error-body.ts';

/**
 * The events of `POST /v1/rewrite?stream=true` (server-sent events), as the server writes them and the
 * extension's ZIPP-server engine reads them:
 *   delta   {text}      raw text as the LLM writes it
 *   restart {attempt}   the pipeline asks the LLM again (an empty or echoed answer, the subject guard):
 *                       drop the text streamed so far; the next deltas are attempt `attempt` (2, 3, …)
 *   result  RewriteResult   the answer that counts (last event)
 *   error   ErrorBody       instead of result
 */
export const RewriteEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('delta'), data: z.object({ text: z.string() }) }),
  z.object({ event: z.literal('restart'), data: z.object({ attempt: z.number().int().min(2) }) }),
  z.object({ event: z.literal('result'), data: RewriteResult }),
  z.object({ event: z.literal('error'), data: ErrorBody }),
]);
export type RewriteEvent = z.infer<typeof RewriteEvent>;

/** One received SSE message ({event, data} as text) as a typed event; undefined for a name it does not know. */
export const parseRewriteEvent = (event: string | undefined, data: string): RewriteEvent | undefined => parseSseEvent(RewriteEvent, event, data);

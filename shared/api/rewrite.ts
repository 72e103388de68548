import { z } from 'zod';
import { RewriteRequest } from '../schemas/rewrite.ts';

/** `POST /v1/rewrite`: exactly the core's RewriteRequest; unknown fields are refused rather than ignored. */
export const RewriteBody = z.strictObject(RewriteRequest.shape);

/** `?stream=true` (or `Accept: text/event-stream`): server-sent events (rewrite-events.ts) instead of JSON. */
export const RewriteQuery = z.strictObject({
  stream: z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1'),
});

/** `POST /v1/rewrite/batch`: many rewrites as one durable job; also the stored params of a `rewrite-batch` job. */
export const RewriteBatchBody = z.strictObject({
  items: z.array(RewriteBody).min(1, 'give at least one item').max(1000, 'at most 1,000 items per batch: split it'),
  /** Items rewritten at once inside this job. */
  concurrency: z.number().int().min(1).max(16).default(4),
});
export type RewriteBatchBody = z.infer<typeof RewriteBatchBody>;

import { RewriteBatchBody } from '../../../shared/api/rewrite.ts';
import type { RewriteRequest, RewriteResult } from '../../../shared/schemas/rewrite.ts';
import { jobError, type JobKind } from '../kind.ts';

/** What the batch needs of the server: its rewrite pipeline, and a check that an LLM is configured (throws when not). */
export interface BatchRewriter {
  rewrite(request: RewriteRequest, options: { signal: AbortSignal }): Promise<RewriteResult>;
  ready(): void;
}


/** One finished item: the rewrite, or why that item failed (the batch goes on). */
export type RewriteBatchUnit = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * A batch of rewrites as a durable job. Each item is a unit: stored the moment it finishes, so a server
 * killed mid-batch resumes with the items it had not finished and never asks the LLM for a finished one
 * again. An item the LLM fails on is recorded as failed and the batch goes on.
 */
export function rewriteBatchKind(rewriter: BatchRewriter): JobKind<RewriteBatchBody> {
  return {
    kind: 'rewrite-batch',
    description: 'rewrite many prompts (one unit per item)',
    params: RewriteBatchBody,
    concurrency: 2,
    total: (p) => p.items.length,
    async run(ctx) {
      rewriter.ready(); // fail the job at once when no LLM is configured
      const { items, concurrency } = ctx.params;
      const finished = ctx.finishedUnits();
      const todo = items.map((_, i) => i).filter((i) => !finished.has(i));
      ctx.progress({
        done: finished.size,
        total: items.length,
        message: ctx.resumed ? `resumed: ${finished.size} of ${items.length} items were already done` : `0 of ${items.length} items`,
      });
      let next = 0;
      const worker = async () => {
        // A shutdown lets the items in flight finish (and be recorded) but starts no new one.
        while (next < todo.length && !ctx.signal.aborted && !ctx.stopping.aborted) {
          const i = todo[next++]!;
          let unit: RewriteBatchUnit;
          try {
            unit = { ok: true, result: await rewriter.rewrite(items[i]!, { signal: ctx.signal }) };
          } catch (err) {
            if (ctx.signal.aborted) return; // cut off, not failed: this item runs again on resume
            unit = { ok: false, error: jobError(err) };
          }
          ctx.saveUnit(i, unit);
          const done = ctx.finishedUnits().size;
          ctx.progress({ message: `${done} of ${items.length} items` });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (ctx.finishedUnits().size < items.length) throw ctx.stopping.reason; // stopped early by a shutdown
      const units = ctx.units();
      const failed = units.filter((u) => !(u.result as RewriteBatchUnit).ok).length;
      return { items: items.length, succeeded: units.length - failed, failed };
    },
  };
}

import { rewritePrompt, type RewriteOptions } from '../../../shared/rewrite/index.ts';
import type { RewriteRequest, RewriteResult } from '../../../shared/schemas/rewrite.ts';
import type { LlmService } from '../services.ts';

/**
 * The shared core's rewrite pipeline (templates, hygiene, subject guard, retrieval) as the server calls it:
 * the server's LLM client, and the embedder only when a request asks for embedding retrieval. The core's
 * input errors name their field; the error handler turns them into 400s.
 */
export async function rewrite(
  llm: LlmService,
  request: RewriteRequest,
  options: Pick<RewriteOptions, 'signal' | 'onDelta' | 'onAttempt'> = {},
): Promise<RewriteResult> {
  const client = llm.client();
  const embed = request.retrieval === 'embedding' ? llm.embed() : undefined;
  return rewritePrompt(client, request, { ...options, ...(embed ? { embed } : {}) });
}

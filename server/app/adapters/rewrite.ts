import { rewritePrompt, RewriteInputError } from '../../../shared/rewrite/index.ts';
import type { RewriteRequest, RewriteResult } from '../../../shared/schemas/rewrite.ts';
import { ApiError } from '../errors.ts';
import type { LlmService } from '../services.ts';

/**
 * The shared core's rewrite pipeline (templates, hygiene, subject guard, retrieval) as the server calls it:
 * the server's LLM client, the embedder only when a request asks for embedding retrieval, and the core's
 * input errors as 400s naming the field.
 */
export async function rewrite(
  llm: LlmService,
  request: RewriteRequest,
  options: { signal?: AbortSignal; onDelta?: (text: string) => void } = {},
): Promise<RewriteResult> {
  const client = llm.client();
  const embed = request.retrieval === 'embedding' ? llm.embed() : undefined;
  try {
    return await rewritePrompt(client, request, { ...options, ...(embed ? { embed } : {}) });
  } catch (err) {
    if (err instanceof RewriteInputError) throw new ApiError(400, 'invalid_request', prefixed(err.field, err.message), err.field);
    throw err;
  }
}

/** "field: message", unless the core already started its message with the field. */
export const prefixed = (field: string, message: string) => (message.startsWith(`${field}:`) ? message : `${field}: ${message}`);

import type { ChatClient } from '../../../shared/llm/types.ts';
import type { RewriteRequest, RewriteResult } from '../../../shared/schemas/rewrite.ts';

/**
 * The rewrite pipeline of the shared core (templates, hygiene, subject guard, retrieval), as the server
 * calls it. Loaded on first use so that a server start does not pay for it.
 */
export async function rewrite(
  client: ChatClient,
  request: RewriteRequest,
  options: { signal?: AbortSignal; onDelta?: (text: string) => void } = {},
): Promise<RewriteResult> {
  const { rewritePrompt } = await import('../../../shared/rewrite/index.ts');
  return rewritePrompt(client, request, options);
}

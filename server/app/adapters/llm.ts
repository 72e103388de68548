import { createLlmClient } from '../../../shared/llm/client.ts';
import { createEmbedder } from '../../../shared/llm/embeddings.ts';
import { embedModelFromEnv, llmSettingsFromEnv, NO_LLM_CONFIGURED, type Env } from '../../../shared/llm/settings.ts';
import type { ChatClient } from '../../../shared/llm/types.ts';
import { withoutCredentials } from '../../runtime/urls.ts';
import { ApiError } from '../../http/errors.ts';
import { nodeFetch } from './node-fetch.ts';
import type { LlmInfo } from '../../../shared/api/server-info.ts';
import type { LlmService } from '../services.ts';

/**
 * The server's one LLM client, from the same environment variables as the CLI (ZIPP_LLM_* / OPENAI_*).
 * With none set the server still starts: LLM routes answer 503 `llm_not_configured` with the one line that
 * says how to connect one, and /v1/health reports it. The API key never leaves this module.
 */
export function llmServiceFromEnv(env: Env): LlmService {
  const settings = llmSettingsFromEnv(env);
  if (!settings) {
    return {
      info: () => ({ configured: false, hint: NO_LLM_CONFIGURED }),
      client: () => {
        throw new ApiError(503, 'llm_not_configured', NO_LLM_CONFIGURED);
      },
      embed: () => undefined,
    };
  }
  const client: ChatClient = createLlmClient(settings, { fetch: nodeFetch });
  const info: LlmInfo = { configured: true, model: settings.model, key: Boolean(settings.apiKey), ...(settings.baseUrl ? { baseUrl: withoutCredentials(settings.baseUrl) } : {}) };
  const embedder = createEmbedder(settings, { model: embedModelFromEnv(env), fetch: nodeFetch });
  const embed = (texts: string[]) => embedder.embed(texts);
  return { info: () => info, client: () => client, embed: () => embed };
}

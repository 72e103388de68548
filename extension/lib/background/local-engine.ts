import { createLlmClient } from '../../../shared/llm/client.ts';
import { personaFromQuestionnaire, verbalizePersona, type PersonaResult } from '../../../shared/persona/verbalize.ts';
import { rewritePrompt } from '../../../shared/rewrite/index.ts';
import { redact, toLlmSettings, type LlmConnection } from '../llm/connection.ts';
import type { Engine, EngineOptions } from './engine.ts';
import { onDeviceClient } from '../llm/on-device-client.ts';
import { explainLlmError } from './llm-errors.ts';
import { resolveImportance } from '../../../shared/persona/importance.ts';

/**
 * An OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp, vLLM, LM Studio) called from the background
 * with the shared client, or the browser's built-in model through the same client interface; the shared
 * rewrite pipeline (templates, hygiene, subject guard) and persona writing run here either way.
 */
export function localEngine(connection: Exclude<LlmConnection, { kind: 'zipp' }>, options: EngineOptions = {}): Engine {
  const url = redact(connection).url;
  const client =
    connection.kind === 'on-device'
      ? onDeviceClient(options.promptApi)
      : createLlmClient(toLlmSettings(connection), options.fetch ? { fetch: options.fetch } : {});
  const explain = (err: unknown) => {
    throw explainLlmError(err, url, client.model, options.extensionOrigin);
  };
  const draft = (r: PersonaResult) => ({ text: r.text, template: r.template, model: r.model, evidence: r.evidence, warnings: r.warnings });
  return {
    url,
    async check(signal) {
      const result = await client
        .chat([{ role: 'user', content: 'Reply with one word: ready' }], { maxTokens: 8, ...(signal ? { signal } : {}) })
        .catch(explain);
      return { model: result.model, reply: result.text.trim() };
    },
    async rewrite(request, { signal, onDelta, onRestart }) {
      // The pipeline says when it asks again (onAttempt): the preview starts over.
      return rewritePrompt(client, request, { signal, onDelta, onAttempt: () => onRestart() }).catch(explain);
    },
    async questionnaire(answers, signal) {
      return draft(await personaFromQuestionnaire(client, answers, signal ? { signal } : {}).catch(explain));
    },
    async verbalize(input, descriptions, signal) {
      // The shared rule: the encoder's importance the options page computed, else activity share.
      const { scorer } = resolveImportance(input.importance ? { weights: input.importance } : {});
      const result = await verbalizePersona(client, {
        communities: input.communities,
        descriptions,
        ...(input.texts ? { texts: input.texts } : {}),
        scorer,
        ...(signal ? { signal } : {}),
      }).catch(explain);
      return draft(result);
    },
  };
}

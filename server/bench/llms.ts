import { createLlmClient } from '../../shared/llm/client.ts';
import { DEFAULT_OPENAI_BASE_URL, llmSettingsFromEnv, NO_LLM_CONFIGURED, type Env } from '../../shared/llm/settings.ts';
import type { ChatClient } from '../../shared/llm/types.ts';
import { LlmSettings } from '../../shared/schemas/llm.ts';
import { InputError } from '../../shared/errors.ts';
import type { LlmSpec } from './config.ts';

/** One rewriting LLM of a run: its report name, what identifies its answers, and a client. */
export interface BenchLlm {
  name: string;
  model: string;
  baseUrl: string;
  temperature: number;
  price?: LlmSpec['price'];
  client: ChatClient;
}

/** Builds a client from settings; the server passes its own (keep-alive fetch), the CLI adds retry notices. */
/** Whether two base URLs (undefined: OpenAI's) name the same endpoint, trailing slashes aside. */
function sameEndpoint(a: string | undefined, b: string | undefined): boolean {
  const norm = (u: string | undefined) => {
    try {
      return new URL(u ?? DEFAULT_OPENAI_BASE_URL).href.replace(/\/+$/, '');
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

export type ClientFactory = (settings: LlmSettings) => ChatClient;

/**
 * The run's LLMs: each config entry on top of the ZIPP_LLM_* / OPENAI_* environment (endpoint, key,
 * timeouts), or just the environment's LLM when the config names none. Keys come from the environment
 * only (`apiKeyEnv` names the variable), so config files and reports never hold one; the environment's
 * own key goes only to the environment's own endpoint, never to another `baseUrl`.
 */
export function resolveLlms(specs: readonly LlmSpec[] | undefined, env: Env, factory: ClientFactory = (s) => createLlmClient(s)): BenchLlm[] {
  let base: LlmSettings | undefined;
  try {
    base = llmSettingsFromEnv(env);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  if (!specs?.length) {
    if (!base) throw new InputError(NO_LLM_CONFIGURED);
    return [bench(base.model, base, undefined)];
  }
  const names = new Set<string>();
  return specs.map((spec, i) => {
    const name = spec.name ?? spec.model;
    if (names.has(name)) throw new InputError(`llms.${i}: the name ${name} is used twice; give each LLM a distinct "name"`);
    names.add(name);
    const apiKey = spec.apiKeyEnv ? env[spec.apiKeyEnv]?.trim() : !spec.baseUrl || sameEndpoint(spec.baseUrl, base?.baseUrl) ? base?.apiKey : undefined;
    if (spec.apiKeyEnv && !apiKey) throw new InputError(`llms.${i}.apiKeyEnv: the environment variable ${spec.apiKeyEnv} is not set`);
    const baseUrl = spec.baseUrl ?? base?.baseUrl;
    if (!baseUrl && !apiKey) throw new InputError(`llms.${i}: no endpoint for ${spec.model}: give "baseUrl" or set ZIPP_LLM_BASE_URL`);
    const settings = LlmSettings.parse({
      ...(base ?? {}),
      model: spec.model,
      ...(baseUrl ? { baseUrl } : {}),
      ...(apiKey ? { apiKey } : { apiKey: undefined }),
      ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
    });
    return bench(name, settings, spec.price);
  });

  function bench(name: string, settings: LlmSettings, price: LlmSpec['price']): BenchLlm {
    return {
      name,
      model: settings.model,
      baseUrl: settings.baseUrl ?? 'https://api.openai.com/v1',
      temperature: settings.temperature,
      ...(price ? { price } : {}),
      client: factory(settings),
    };
  }
}

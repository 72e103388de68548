import { LlmSettings } from '../schemas/llm.ts';
import { LlmConfigError } from './errors.ts';

/**
 * LLM settings from environment variables. Isomorphic: takes the environment as a plain object (Node
 * passes process.env; the extension passes what the user typed into its options page).
 *
 *   ZIPP_LLM_BASE_URL  / OPENAI_BASE_URL   endpoint; default https://api.openai.com/v1
 *   ZIPP_LLM_API_KEY   / OPENAI_API_KEY    key; local servers (Ollama, llama.cpp, vLLM) accept any
 *   ZIPP_LLM_MODEL     / OPENAI_MODEL      model; default DEFAULT_LLM_MODEL
 *   ZIPP_LLM_TEMPERATURE, ZIPP_LLM_MAX_TOKENS, ZIPP_LLM_TIMEOUT_MS, ZIPP_LLM_MAX_RETRIES   optional tuning
 *
 * The ZIPP_ variable wins over its OPENAI_ fallback, one variable at a time.
 */

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * The model used when only a key or a URL is set: OpenAI's small, cheap chat model. A local server that
 * does not serve a model of this name answers 404, and the error lists the models it does serve; set
 * ZIPP_LLM_MODEL to one of them (llama.cpp's server accepts any name).
 */
export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';

/** Embedding model for `createEmbedder` when ZIPP_LLM_EMBED_MODEL is not set. */
export const DEFAULT_EMBED_MODEL = 'text-embedding-3-small';

/** What a command that needs an LLM prints (and exits 2 with) when none is configured. */
export const NO_LLM_CONFIGURED =
  'no LLM configured: set OPENAI_API_KEY (or ZIPP_LLM_API_KEY) for OpenAI, or ZIPP_LLM_BASE_URL to a local OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8080/v1 (llama.cpp) or http://127.0.0.1:8000/v1 (vLLM), plus ZIPP_LLM_MODEL';

export type Env = Readonly<Record<string, string | undefined>>;

const pick = (env: Env, ...names: string[]) => {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return { name: n, value: v };
  }
  return undefined;
};

function numberVar(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new LlmConfigError(`${name}="${raw}" is not a number: set it to e.g. ${name === 'ZIPP_LLM_TEMPERATURE' ? '0.7' : '60000'}`);
  return n;
}

/**
 * Settings from the environment, or undefined when neither an endpoint nor a key is set (then the caller
 * says NO_LLM_CONFIGURED). Throws LlmConfigError naming the variable when one is set but invalid.
 */
export function llmSettingsFromEnv(env: Env): LlmSettings | undefined {
  const baseUrl = pick(env, 'ZIPP_LLM_BASE_URL', 'OPENAI_BASE_URL');
  const apiKey = pick(env, 'ZIPP_LLM_API_KEY', 'OPENAI_API_KEY');
  if (!baseUrl && !apiKey) return undefined;
  const model = pick(env, 'ZIPP_LLM_MODEL', 'OPENAI_MODEL');
  const candidate = {
    baseUrl: baseUrl?.value ?? DEFAULT_OPENAI_BASE_URL,
    apiKey: apiKey?.value,
    model: model?.value ?? DEFAULT_LLM_MODEL,
    temperature: numberVar(env, 'ZIPP_LLM_TEMPERATURE'),
    maxTokens: numberVar(env, 'ZIPP_LLM_MAX_TOKENS'),
    timeoutMs: numberVar(env, 'ZIPP_LLM_TIMEOUT_MS'),
    maxRetries: numberVar(env, 'ZIPP_LLM_MAX_RETRIES'),
  };
  if (!/^https?:\/\//i.test(candidate.baseUrl)) {
    throw new LlmConfigError(`${baseUrl!.name}: "${candidate.baseUrl}" is not an http(s) URL: write it in full, e.g. http://127.0.0.1:11434/v1`);
  }
  const parsed = LlmSettings.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const variable =
      field === 'baseUrl'
        ? baseUrl!.name
        : field === 'model'
          ? (model?.name ?? 'ZIPP_LLM_MODEL')
          : `ZIPP_LLM_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    throw new LlmConfigError(`${variable}: ${issue.message}`);
  }
  return parsed.data;
}

/** The embedding model named by ZIPP_LLM_EMBED_MODEL, else DEFAULT_EMBED_MODEL. */
export function embedModelFromEnv(env: Env): string {
  return env.ZIPP_LLM_EMBED_MODEL?.trim() || DEFAULT_EMBED_MODEL;
}

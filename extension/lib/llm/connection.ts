import { z } from 'zod';
import { DEFAULT_LLM_MODEL, DEFAULT_OPENAI_BASE_URL } from '../../../shared/llm/settings.ts';
import type { LlmSettingsInput } from '../../../shared/schemas/llm.ts';
import { ON_DEVICE_MODEL } from './prompt-api.ts';

/**
 * How the extension reaches an LLM, as the person set it on the options page. Kept in
 * `browser.storage.local` and read only by the background: the key never reaches a content script or a
 * page (they get `RedactedConnection`).
 */
const httpUrl = (what: string, example: string) =>
  z
    .url(`${what} must be a full URL such as ${example}`)
    .refine((u) => /^https?:\/\//i.test(u), `${what} must start with http:// or https://, e.g. ${example}`);

export const LlmConnection = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('openai'),
    apiKey: z.string().trim().min(1, 'paste your OpenAI API key (it starts with "sk-")'),
    model: z.string().trim().min(1).default(DEFAULT_LLM_MODEL),
  }),
  z.object({
    kind: z.literal('compatible'),
    baseUrl: httpUrl('the server URL', 'http://127.0.0.1:11434/v1 (Ollama)'),
    apiKey: z.string().trim().optional(),
    model: z.string().trim().min(1, 'name the model the server runs, e.g. llama3.1'),
  }),
  /** The browser's built-in model (Chrome's Prompt API): no key, nothing leaves the device. */
  z.object({ kind: z.literal('on-device') }),
  z.object({
    kind: z.literal('zipp'),
    serverUrl: httpUrl('the ZIPP server URL', 'http://127.0.0.1:8787'),
    token: z.string().trim().min(1, 'paste the token `zipp serve` printed on its first start'),
  }),
]);
export type LlmConnection = z.infer<typeof LlmConnection>;
export type LlmConnectionInput = z.input<typeof LlmConnection>;

/** What pages may see: where the LLM is and whether a key is set, never the key. */
export const RedactedConnection = z.object({
  kind: z.enum(['openai', 'compatible', 'zipp', 'on-device']),
  url: z.string(),
  model: z.string().optional(),
  /** e.g. "…3f9a" — enough to recognise which key is set. */
  keyHint: z.string().optional(),
});
export type RedactedConnection = z.infer<typeof RedactedConnection>;

const hint = (key: string | undefined) => (key && key.length >= 8 ? `…${key.slice(-4)}` : key ? 'set' : undefined);

export function redact(c: LlmConnection): RedactedConnection {
  switch (c.kind) {
    case 'openai':
      return { kind: c.kind, url: DEFAULT_OPENAI_BASE_URL, model: c.model, keyHint: hint(c.apiKey) };
    case 'compatible':
      return { kind: c.kind, url: c.baseUrl, model: c.model, ...(c.apiKey ? { keyHint: hint(c.apiKey) } : {}) };
    case 'zipp':
      return { kind: c.kind, url: c.serverUrl, keyHint: hint(c.token) };
    case 'on-device':
      return { kind: c.kind, url: 'this device', model: ON_DEVICE_MODEL };
  }
}

/** Settings for the shared OpenAI-compatible client (not for a ZIPP server, which has its own API). */
export function toLlmSettings(c: Extract<LlmConnection, { kind: 'openai' | 'compatible' }>): LlmSettingsInput {
  return c.kind === 'openai'
    ? { baseUrl: DEFAULT_OPENAI_BASE_URL, apiKey: c.apiKey, model: c.model }
    : { baseUrl: c.baseUrl, model: c.model, ...(c.apiKey ? { apiKey: c.apiKey } : {}) };
}

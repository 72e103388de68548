import { z } from 'zod';

/** Connection and decoding settings for any OpenAI-compatible chat endpoint. */
export const LlmSettings = z.object({
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8080/v1 (llama.cpp). */
  baseUrl: z.url('baseUrl must be a full URL such as http://127.0.0.1:11434/v1').optional(),
  /** Local servers usually accept any key; OpenAI needs a real one. */
  apiKey: z.string().min(1).optional(),
  model: z.string().min(1, 'name the model, e.g. gpt-4o-mini or llama3.1'),
  temperature: z.number().min(0).max(2).default(0.7),
  maxTokens: z.number().int().positive().optional(),
  timeoutMs: z.number().int().positive().default(60_000),
  maxRetries: z.number().int().min(0).max(10).default(3),
});
export type LlmSettings = z.infer<typeof LlmSettings>;
export type LlmSettingsInput = z.input<typeof LlmSettings>;

/** Token usage summed over every request a result needed (retries included). */
export const Usage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;

export const emptyUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0, requests: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    requests: a.requests + b.requests,
  };
}

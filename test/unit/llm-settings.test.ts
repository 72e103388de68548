import { describe, expect, it } from 'vitest';
import { LlmConfigError } from '../../shared/llm/errors.ts';
import {
  DEFAULT_LLM_MODEL,
  DEFAULT_OPENAI_BASE_URL,
  embedModelFromEnv,
  llmSettingsFromEnv,
  NO_LLM_CONFIGURED,
} from '../../shared/llm/settings.ts';

describe('llmSettingsFromEnv', () => {
  it('is undefined with neither an endpoint nor a key', () => {
    expect(llmSettingsFromEnv({})).toBeUndefined();
    expect(llmSettingsFromEnv({ ZIPP_LLM_MODEL: 'llama3.1', ZIPP_LLM_BASE_URL: '  ' })).toBeUndefined();
  });

  it('prefers ZIPP_LLM_* and falls back to OPENAI_* one variable at a time', () => {
    const s = llmSettingsFromEnv({
      ZIPP_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_BASE_URL: 'https://example.invalid/v1',
      OPENAI_API_KEY: 'sk-fallback',
      OPENAI_MODEL: 'gpt-4.1-mini',
    });
    expect(s).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-fallback', model: 'gpt-4.1-mini' });
  });

  it('defaults: OpenAI endpoint for a bare key, the default model, temperature 0.7, 60 s, 3 retries', () => {
    expect(llmSettingsFromEnv({ OPENAI_API_KEY: 'sk-x' })).toEqual({
      baseUrl: DEFAULT_OPENAI_BASE_URL,
      apiKey: 'sk-x',
      model: DEFAULT_LLM_MODEL,
      temperature: 0.7,
      timeoutMs: 60_000,
      maxRetries: 3,
    });
    expect(llmSettingsFromEnv({ ZIPP_LLM_BASE_URL: 'http://127.0.0.1:8080/v1' })?.apiKey).toBeUndefined();
  });

  it('reads the tuning variables and names the bad one', () => {
    const s = llmSettingsFromEnv({ ZIPP_LLM_API_KEY: 'k', ZIPP_LLM_TEMPERATURE: '0.2', ZIPP_LLM_TIMEOUT_MS: '5000', ZIPP_LLM_MAX_TOKENS: '200' });
    expect(s).toMatchObject({ temperature: 0.2, timeoutMs: 5000, maxTokens: 200 });
    expect(() => llmSettingsFromEnv({ ZIPP_LLM_BASE_URL: 'localhost:11434' })).toThrow(/^ZIPP_LLM_BASE_URL: .*http\(s\) URL/);
    expect(() => llmSettingsFromEnv({ ZIPP_LLM_API_KEY: 'k', ZIPP_LLM_TEMPERATURE: 'hot' })).toThrow(LlmConfigError);
    expect(() => llmSettingsFromEnv({ ZIPP_LLM_API_KEY: 'k', ZIPP_LLM_TEMPERATURE: '3' })).toThrow(/^ZIPP_LLM_TEMPERATURE:/);
  });

  it('NO_LLM_CONFIGURED is one line naming both ways to connect', () => {
    expect(NO_LLM_CONFIGURED).not.toContain('\n');
    expect(NO_LLM_CONFIGURED).toMatch(/OPENAI_API_KEY/);
    expect(NO_LLM_CONFIGURED).toMatch(/ZIPP_LLM_BASE_URL/);
    expect(NO_LLM_CONFIGURED).toMatch(/Ollama/);
  });

  it('embedding model from ZIPP_LLM_EMBED_MODEL or the default', () => {
    expect(embedModelFromEnv({})).toBe('text-embedding-3-small');
    expect(embedModelFromEnv({ ZIPP_LLM_EMBED_MODEL: 'nomic-embed-text' })).toBe('nomic-embed-text');
  });
});

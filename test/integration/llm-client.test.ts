import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../shared/llm/client.ts';
import { createEmbedder } from '../../shared/llm/embeddings.ts';
import {
  LlmAbortedError,
  LlmAuthError,
  LlmBadResponseError,
  LlmEmptyAnswerError,
  LlmError,
  LlmRateLimitedError,
  LlmServerError,
  LlmTimeoutError,
  LlmUnknownModelError,
  LlmUnreachableError,
} from '../../shared/llm/errors.ts';
import type { ChatMessage } from '../../shared/llm/types.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

// Every path goes through the real openai SDK over real HTTP to the test server on 127.0.0.1.
let llm: OpenAiTestServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(() => llm.reset());

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are a lighthouse keeper on a foggy coast; fog, lighthouse lamps and fog horns fill your days.' },
  { role: 'user', content: 'Rewrite this for an image model.\nBase prompt: a dog in a park' },
];
/** Fast retries so the tests spend milliseconds, not seconds, waiting. */
const client = (over: Record<string, unknown> = {}, waits: number[] = []) =>
  createLlmClient(
    { baseUrl: llm.url, model: 'zipp-test-model', timeoutMs: 2_000, ...over },
    { retry: { baseDelayMs: 2, maxDelayMs: 10 }, onRetry: (i) => waits.push(i.delayMs) },
  );

async function failure(p: Promise<unknown>): Promise<LlmError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LlmError);
  const err = e as LlmError;
  expect(err.message).not.toContain('\n');
  return err;
}

describe('chat', () => {
  it('sends model, messages and temperature 0.7 by default; returns text, model and usage', async () => {
    const r = await client().chat(messages);
    expect(r.text).toBe('a dog in a park, lighthouse, fog, keeper');
    expect(r.model).toBe('zipp-test-model');
    expect(r.usage.requests).toBe(1);
    expect(r.usage.promptTokens).toBeGreaterThan(10);
    expect(r.usage.totalTokens).toBe(r.usage.promptTokens + r.usage.completionTokens);
    const [body] = llm.chatBodies();
    expect(body).toMatchObject({ model: 'zipp-test-model', temperature: 0.7, messages });
    expect(body).not.toHaveProperty('max_tokens');
    expect(llm.requests[0]!.headers.authorization).toBe('Bearer not-needed');
  });

  it('passes per-call temperature and max tokens, and the API key', async () => {
    await client({ apiKey: 'sk-test' }).chat(messages, { temperature: 0.2, maxTokens: 90 });
    expect(llm.chatBodies()[0]).toMatchObject({ temperature: 0.2, max_tokens: 90 });
    expect(llm.requests[0]!.headers.authorization).toBe('Bearer sk-test');
  });

  it('retries 429 and 500, sums usage over every request and honours Retry-After', async () => {
    llm.enqueue({ kind: 'error', status: 429, retryAfter: '0.15' }, { kind: 'error', status: 503 }, { kind: 'answer', text: 'a dog, at last', usage: { prompt_tokens: 7, completion_tokens: 5 } });
    const waits: number[] = [];
    const started = Date.now();
    const r = await client({}, waits).chat(messages);
    expect(r.text).toBe('a dog, at last');
    expect(r.usage).toEqual({ promptTokens: 7, completionTokens: 5, totalTokens: 12, requests: 3 });
    expect(waits[0]).toBe(150);
    expect(waits[1]).toBeLessThanOrEqual(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(llm.chatBodies()).toHaveLength(3);
  });

  it('rate-limited after the retries are spent', async () => {
    llm.enqueue(...Array.from({ length: 3 }, () => ({ kind: 'error' as const, status: 429, retryAfter: 0 })));
    const e = await failure(client({ maxRetries: 2 }).chat(messages));
    expect(e).toBeInstanceOf(LlmRateLimitedError);
    expect(e.code).toBe('rate-limited');
    expect(e.message).toMatch(/after 3 attempts/);
    expect(e.usage?.requests).toBe(3);
  });

  it('server error after retries names the status', async () => {
    llm.enqueue(...Array.from({ length: 4 }, () => ({ kind: 'error' as const, status: 500 })));
    const e = await failure(client().chat(messages));
    expect(e).toBeInstanceOf(LlmServerError);
    expect(e.message).toMatch(/HTTP 500.*4 attempts/);
  });

  it('bad key (401) is not retried and says which variable to set', async () => {
    const strict = await startOpenAiServer({ apiKey: 'right' });
    try {
      const e = await failure(createLlmClient({ baseUrl: strict.url, apiKey: 'wrong', model: 'm' }).chat(messages));
      expect(e).toBeInstanceOf(LlmAuthError);
      expect(e.message).toMatch(/401.*ZIPP_LLM_API_KEY/);
      expect(strict.requests.filter((r) => r.route === 'chat')).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });

  it('unknown model (404) names the model and lists what the endpoint serves', async () => {
    const strict = await startOpenAiServer({ knownModels: ['llama3.1', 'qwen2.5'] });
    try {
      const e = await failure(createLlmClient({ baseUrl: strict.url, model: 'gpt-4o-mini' }).chat(messages));
      expect(e).toBeInstanceOf(LlmUnknownModelError);
      expect(e.code).toBe('unknown-model');
      expect(e.message).toMatch(/"gpt-4o-mini".*ZIPP_LLM_MODEL.*llama3\.1, qwen2\.5/);
    } finally {
      await strict.close();
    }
  });

  it('unreachable endpoint names the URL after retrying', async () => {
    const down = await startOpenAiServer();
    const url = down.url;
    await down.close();
    const e = await failure(createLlmClient({ baseUrl: url, model: 'm' }, { retry: { baseDelayMs: 1 } }).chat(messages));
    expect(e).toBeInstanceOf(LlmUnreachableError);
    expect(e.message).toContain(url);
    expect(e.message).toMatch(/server is running/);
    expect(e.usage?.requests).toBe(4);
  });

  it('a dropped connection is retried like any network error', async () => {
    llm.enqueue({ kind: 'drop-connection' });
    const r = await client().chat(messages);
    expect(r.usage.requests).toBe(2);
  });

  it('timeout when the server never answers; not retried', async () => {
    llm.enqueue({ kind: 'hang' });
    const e = await failure(client({ timeoutMs: 300 }).chat(messages));
    expect(e).toBeInstanceOf(LlmTimeoutError);
    expect(e.message).toMatch(/300 ms/);
    expect(e.usage?.requests).toBe(1);
  });

  it('empty answer is a typed error carrying the usage', async () => {
    llm.enqueue({ kind: 'empty' });
    const e = await failure(client().chat(messages));
    expect(e).toBeInstanceOf(LlmEmptyAnswerError);
    expect(e.usage?.promptTokens).toBeGreaterThan(0);
  });

  it('malformed JSON is a bad response, not a crash', async () => {
    llm.enqueue({ kind: 'malformed' });
    expect(await failure(client().chat(messages))).toBeInstanceOf(LlmBadResponseError);
  });

  it('an AbortSignal cancels a hanging request', async () => {
    llm.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const e = await failure(client({ timeoutMs: 10_000 }).chat(messages, { signal: controller.signal }));
    expect(e).toBeInstanceOf(LlmAbortedError);
  });
});

describe('stream', () => {
  it('yields deltas in order and resolves the full text with the usage chunk', async () => {
    const s = client().stream(messages);
    const deltas: string[] = [];
    for await (const d of s) deltas.push(d);
    const r = await s.result;
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('a dog in a park, lighthouse, fog, keeper');
    expect(r.text).toBe(deltas.join(''));
    expect(r.usage.completionTokens).toBeGreaterThan(0);
    expect(r.usage.requests).toBe(1);
    expect(llm.chatBodies()[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('retries opening the stream on 429 and counts both requests', async () => {
    llm.enqueue({ kind: 'error', status: 429, retryAfter: 0 });
    const r = await client().stream(messages).result;
    expect(r.usage.requests).toBe(2);
  });

  it('a stall mid-stream times out after the idle timeout', async () => {
    llm.enqueue({ kind: 'stall', afterChunks: 2 });
    // Long enough for the first chunks to arrive on a loaded machine; the stall then exceeds it.
    const s = client({ timeoutMs: 1_000 }).stream(messages);
    const seen: string[] = [];
    const e = await failure((async () => {
      for await (const d of s) seen.push(d);
    })());
    expect(e).toBeInstanceOf(LlmTimeoutError);
    expect(seen).toEqual(['a ', 'dog ']);
    await expect(s.result).rejects.toBeInstanceOf(LlmTimeoutError);
  });

  it('abort mid-stream and a malformed chunk are typed errors', async () => {
    llm.enqueue({ kind: 'stall', afterChunks: 1 });
    const controller = new AbortController();
    const s = client({ timeoutMs: 10_000 }).stream(messages, { signal: controller.signal });
    const e = await failure((async () => {
      for await (const _ of s) controller.abort();
    })());
    expect(e).toBeInstanceOf(LlmAbortedError);
    await expect(s.result).rejects.toBeInstanceOf(LlmAbortedError);

    llm.enqueue({ kind: 'malformed' });
    await expect(client().stream(messages).result).rejects.toBeInstanceOf(LlmBadResponseError);
  });
});

describe('embeddings', () => {
  it('returns one normalised vector per text, honours dimensions, batches and counts usage', async () => {
    const e = createEmbedder({ baseUrl: llm.url }, { dimensions: 32, batchSize: 2 });
    const v = await e.embed(['a dog in a park', 'a dog in a park', 'tax law in Belgium']);
    expect(v.map((x) => x.length)).toEqual([32, 32, 32]);
    expect(Math.hypot(...v[0]!)).toBeCloseTo(1, 5);
    expect(v[0]).toEqual(v[1]);
    expect(v[0]).not.toEqual(v[2]);
    expect(e.usage().requests).toBe(2);
    expect(llm.requests.filter((r) => r.route === 'embeddings')[0]!.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 32 });
  });

  it('retries an embeddings 500 like chat', async () => {
    llm.enqueue({ kind: 'error', status: 500, route: 'embeddings' });
    const e = createEmbedder({ baseUrl: llm.url }, { retry: { baseDelayMs: 1 } });
    expect(await e.embed(['x'])).toHaveLength(1);
    expect(e.usage().requests).toBe(2);
  });
});

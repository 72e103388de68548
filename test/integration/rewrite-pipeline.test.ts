import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../shared/llm/client.ts';
import { createEmbedder } from '../../shared/llm/embeddings.ts';
import { LlmAbortedError, LlmEmptyAnswerError } from '../../shared/llm/errors.ts';
import { RewriteResult } from '../../shared/schemas/rewrite.ts';
import { rewritePrompt, RewriteInputError } from '../../shared/rewrite/index.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

// The whole pipeline against the real HTTP test server, through the real openai SDK.
let llm: OpenAiTestServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(() => llm.reset());

const persona = readFileSync(new URL('../fixtures/rewrite/persona-historian.txt', import.meta.url), 'utf8');
const client = () => createLlmClient({ baseUrl: llm.url, model: 'zipp-test-model' }, { retry: { baseDelayMs: 1 } });
const history = ['a neon dog portrait, synthwave', 'watercolor fox in snow', 'a dog on a beach at dawn, film grain', 'city rooftops at night', 'still life with pears'];

describe('rewritePrompt', () => {
  it('persona: role-plays the persona as the system message and keeps the subjects', async () => {
    const r = await rewritePrompt(client(), { prompt: 'a cozy wooden table with an open book', persona });
    expect(RewriteResult.parse(r)).toEqual(r);
    expect(r).toMatchObject({ method: 'persona', template: 'rewrite-persona@1', model: 'zipp-test-model', guard: 'passed' });
    expect(r.rewritten.startsWith('a cozy wooden table with an open book, ')).toBe(true);
    // The server's answer takes its style words from the persona: the persona reached the model.
    expect(r.rewritten).toMatch(/frescoe|florence|historian|chapel/i);
    expect(r.usage.requests).toBe(1);
    const [body] = llm.chatBodies();
    expect(body!.messages![0]).toEqual({ role: 'system', content: persona.trim() });
    expect(body!.temperature).toBe(0.7);
  });

  it('baseline: no system message, and a persona given anyway is ignored with a warning', async () => {
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona, method: 'baseline' });
    expect(r.template).toBe('rewrite-baseline@1');
    expect(r.rewritten).toBe('a dog in a park, detailed composition, soft natural light');
    expect(r.warnings).toEqual(['method "baseline" does not use the persona; it was ignored']);
    expect(llm.chatBodies()[0]!.messages!.map((m) => m.role)).toEqual(['user']);
  });

  it('fewshot: the k most recent history prompts plus the persona', async () => {
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona, method: 'fewshot', history, k: 2 });
    expect(r.template).toBe('rewrite-fewshot@1');
    const user = llm.chatBodies()[0]!.messages!.at(-1)!.content as string;
    expect(user).toContain('- city rooftops at night\n- still life with pears');
    expect(user).not.toContain('watercolor fox');
  });

  it('fewshot-baseline: examples without persona shape the answer', async () => {
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', method: 'fewshot-baseline', history: ['neon rain, neon glow', 'neon alley'], k: 2 });
    expect(r.rewritten).toBe('a dog in a park, neon, rain, glow');
  });

  it('retrieval (BM25 by default): the k most similar history prompts, best first', async () => {
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', method: 'retrieval', history, k: 2 });
    expect(r.template).toBe('rewrite-retrieval@1');
    const user = llm.chatBodies()[0]!.messages!.at(-1)!.content as string;
    const lines = user.split('\n').filter((l) => l.startsWith('- '));
    expect(lines.sort()).toEqual(['- a dog on a beach at dawn, film grain', '- a neon dog portrait, synthwave']);
    expect(r.warnings).toBeUndefined();
  });

  it('retrieval by embedding similarity through the embeddings endpoint', async () => {
    const embedder = createEmbedder({ baseUrl: llm.url }, { dimensions: 64 });
    await rewritePrompt(client(), { prompt: 'watercolor fox', method: 'retrieval', history, k: 1, retrieval: 'embedding' }, { embed: (t) => embedder.embed(t) });
    expect(llm.requests.filter((r) => r.route === 'embeddings')).toHaveLength(1);
    expect(llm.chatBodies()[0]!.messages!.at(-1)!.content).toContain('- watercolor fox in snow');
  });

  describe('guard', () => {
    it('passed: subjects kept on the first try', async () => {
      const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona });
      expect(r.guard).toBe('passed');
      expect(r.missing).toBeUndefined();
    });

    it('retried: the dog vanished, the second try at temperature 0.5 brings it back', async () => {
      llm.enqueue({ kind: 'drop-subject' });
      const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona });
      expect(r.guard).toBe('retried');
      expect(r.rewritten).toMatch(/\bdog\b/);
      expect(r.usage.requests).toBe(2);
      const [first, second] = llm.chatBodies();
      expect(first!.temperature).toBe(0.7);
      expect(second!.temperature).toBe(0.5);
      expect(second!.messages!.at(-1)!.content).toMatch(/name explicitly: dog, park\./);
    });

    it('failed: both tries lose a subject; the better one is returned with `missing`', async () => {
      llm.enqueue({ kind: 'drop-subject' }, { kind: 'drop-subject', words: ['park'] });
      const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona, temperature: 0.3 });
      expect(r.guard).toBe('failed');
      expect(r.missing).toEqual(['park']);
      expect(r.rewritten).toMatch(/\bdog\b/);
      expect(r.warnings?.at(-1)).toMatch(/still lacks park/);
      expect(llm.chatBodies().map((b) => b.temperature)).toEqual([0.3, 0.3]);
    });
  });

  describe('hygiene and retries', () => {
    it('returns the prompt alone when the model wraps it in chatter', async () => {
      llm.enqueue({ kind: 'wrap', style: 'all' });
      const r = await rewritePrompt(client(), { prompt: 'a cozy wooden table with an open book', persona });
      expect(r.rewritten).not.toMatch(/["*]|Sure|Rewritten|Note/);
      expect(r.rewritten.startsWith('a cozy wooden table with an open book, ')).toBe(true);
      expect(r.usage.requests).toBe(1);
    });

    it('an echoed answer is asked for once more, with a nudge', async () => {
      llm.enqueue({ kind: 'echo' });
      const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona });
      expect(r.usage.requests).toBe(2);
      expect(r.rewritten).not.toBe('a dog in a park');
      expect(llm.chatBodies()[1]!.messages!.at(-1)!.content).toMatch(/repeated the base prompt/);
    });

    it('an empty answer is asked for once more; twice empty is an error carrying the usage', async () => {
      llm.enqueue({ kind: 'empty' });
      expect((await rewritePrompt(client(), { prompt: 'a dog in a park', persona })).usage.requests).toBe(2);
      llm.enqueue({ kind: 'empty' }, { kind: 'empty' });
      const err = await rewritePrompt(client(), { prompt: 'a dog in a park', persona }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LlmEmptyAnswerError);
      expect((err as LlmEmptyAnswerError).usage?.requests).toBe(2);
    });

    it('enforces the word cap and says so', async () => {
      llm.enqueue({ kind: 'answer', text: `a dog in a park, ${'golden light '.repeat(50)}` });
      const r = await rewritePrompt(client(), { prompt: 'a dog in a park' });
      expect(r.rewritten.split(/\s+/).length).toBeLessThan(70);
      expect(r.warnings).toContain('the answer was cut to 69 words');
    });

    it('sums usage over retries, including failed HTTP attempts', async () => {
      llm.enqueue({ kind: 'error', status: 503 }, { kind: 'drop-subject', usage: { prompt_tokens: 100, completion_tokens: 10 } }, { kind: 'default', usage: { prompt_tokens: 120, completion_tokens: 12 } });
      const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona });
      expect(r.usage).toEqual({ promptTokens: 220, completionTokens: 22, totalTokens: 242, requests: 3 });
    });
  });

  it('streams deltas through onDelta and still returns the cleaned result', async () => {
    llm.enqueue({ kind: 'wrap', style: 'quotes' });
    const deltas: string[] = [];
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona }, { onDelta: (d) => deltas.push(d) });
    expect(deltas.join('')).toBe(`"${r.rewritten}"`);
    expect(llm.chatBodies()[0]!.stream).toBe(true);
  });

  it('an AbortSignal cancels the rewrite', async () => {
    llm.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(rewritePrompt(client(), { prompt: 'a dog', persona }, { signal: controller.signal })).rejects.toBeInstanceOf(LlmAbortedError);
  });

  describe('bad input (one line naming the field and the fix)', () => {
    it.each([
      [{ prompt: '  ' }, 'prompt', /prompt is empty/],
      [{ prompt: 'x'.repeat(2001) }, 'prompt', /shorten it/],
      [{ prompt: 'a dog', method: 'persona' }, 'persona', /needs a persona.*"baseline"/],
      [{ prompt: 'a dog', method: 'fewshot', persona: 'p' }, 'history', /needs earlier prompts/],
      [{ prompt: 'a dog', method: 'retrieval', history: ['a dog'] }, 'history', /needs earlier prompts/],
      [{ prompt: 'a dog', persona: 'word '.repeat(8001) }, 'persona', /over 8000 tokens/],
      [{ prompt: 'a dog', method: 'retrieval', history: ['x'], retrieval: 'embedding' }, 'retrieval', /embedding function/],
    ])('%j', async (request, field, message) => {
      const err = await rewritePrompt(client(), request as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RewriteInputError);
      expect((err as RewriteInputError).field).toBe(field);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
      expect(llm.chatBodies()).toHaveLength(0);
    });
  });
});

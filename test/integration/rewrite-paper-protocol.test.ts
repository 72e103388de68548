import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../shared/llm/client.ts';
import { PAPER_TEMPLATES, rewritePrompt } from '../../shared/rewrite/index.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * The rewrite pipeline's `paper` protocol (App. D of the paper) against the real HTTP test server: the
 * paper's templates, the 70-word instruction only in the zero-shot rewrite without persona, no word cut,
 * no echo nudge and no subject-guard retry. The product protocol's behaviour is covered in
 * rewrite-pipeline.test.ts.
 */
let llm: OpenAiTestServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(() => llm.reset());

const client = () => createLlmClient({ baseUrl: llm.url, model: 'zipp-test-model' }, { retry: { baseDelayMs: 1 } });
const persona = 'You are a lighthouse keeper on a foggy northern coast who paints seascapes at dawn.';
const history = ['a neon dog portrait, synthwave', 'watercolor fox in snow', 'city rooftops at night'];
const paper = { protocol: 'paper' as const };

describe('rewritePrompt, paper protocol', () => {
  it.each([
    ['baseline', true, {}],
    ['persona', false, { persona }],
    ['fewshot', false, { persona, history, k: 2 }],
    ['fewshot-baseline', false, { history, k: 2 }],
    ['retrieval', true, { history, k: 2 }],
  ] as const)('%s sends the paper template once (70-word instruction: %s)', async (method, limit, extra) => {
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', method, temperature: 0.7, ...extra }, paper);
    expect(r.template).toBe(`paper-rewrite-${method}@1`);
    expect(r.usage.requests).toBe(1);
    const [body] = llm.chatBodies();
    expect(body!.temperature).toBe(0.7);
    const template = PAPER_TEMPLATES[method];
    const examples = method === 'retrieval' ? undefined : method.startsWith('fewshot') ? history.slice(-2) : undefined;
    if (method !== 'retrieval') {
      expect(body!.messages).toEqual(template.build({ prompt: 'a dog in a park', ...('persona' in extra ? { persona } : {}), ...(examples ? { examples } : {}) }));
    }
    const user = body!.messages!.at(-1)!.content as string;
    expect(user).toContain('Basic prompt: a dog in a park');
    expect(/fewer than 70 words/.test(user)).toBe(limit);
    expect(body!.messages![0]!.role).toBe('persona' in extra ? 'system' : 'user');
    if ('persona' in extra) expect(body!.messages![0]!.content).toBe(persona);
  });

  it('makes no second attempt when the rewrite drops a subject: the guard only records it', async () => {
    llm.enqueue({ kind: 'drop-subject' });
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona, method: 'persona' }, paper);
    expect(r.guard).toBe('failed');
    expect(r.missing).toEqual(expect.arrayContaining(['dog']));
    expect(r.usage.requests).toBe(1);
    expect(llm.chatBodies()).toHaveLength(1);
    // The product protocol retries the same answer once with the missing subjects named.
    llm.reset();
    llm.enqueue({ kind: 'drop-subject' });
    const product = await rewritePrompt(client(), { prompt: 'a dog in a park', persona, method: 'persona' });
    expect(product.guard).toBe('retried');
    expect(llm.chatBodies()).toHaveLength(2);
  });

  it('keeps a long answer whole (no 70-word cut) and accepts an echo without a nudge', async () => {
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    llm.enqueue({ kind: 'answer', text: `a dog in a park, ${long}` });
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', persona, method: 'persona' }, paper);
    expect(r.rewritten).toBe(`a dog in a park, ${long}`);
    expect(r.warnings ?? []).not.toContain(expect.stringMatching(/cut/));
    llm.reset();
    llm.enqueue({ kind: 'echo' });
    const echo = await rewritePrompt(client(), { prompt: 'a dog in a park', method: 'baseline' }, paper);
    expect(echo.rewritten).toBe('a dog in a park');
    expect(echo.warnings).toContain('the model returned the prompt unchanged');
    expect(llm.chatBodies()).toHaveLength(1);
  });

  it('asks once more, unchanged, only when the answer is empty', async () => {
    llm.enqueue({ kind: 'empty' });
    const r = await rewritePrompt(client(), { prompt: 'a dog in a park', method: 'baseline' }, paper);
    expect(r.rewritten).toBe('a dog in a park, detailed composition, soft natural light');
    const [first, second] = llm.chatBodies();
    expect(second!.messages).toEqual(first!.messages);
  });
});

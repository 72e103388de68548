import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../shared/llm/client.ts';
import { rewritePrompt } from '../../shared/rewrite/index.ts';
import { STRENGTHS } from '../../shared/rewrite/templates.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/** The strength dial changes what the model is asked and at which temperature — seen in the real requests. */
const PERSONA = 'You paint lighthouses in gouache and love stormy seas.';
let llm: OpenAiTestServer;
const client = () => createLlmClient({ baseUrl: llm.url, model: 'zipp-test-model' }, { retry: { baseDelayMs: 1 } });
const last = () => llm.chatBodies().at(-1)!;

beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(() => llm.reset());

describe('rewrite strength', () => {
  it('subtle / balanced / strong: different instruction and temperature; a request temperature wins', async () => {
    const seen: Record<string, { temperature: number | undefined; user: string }> = {};
    for (const strength of ['subtle', 'balanced', 'strong'] as const) {
      await rewritePrompt(client(), { prompt: 'a boat in a harbour', persona: PERSONA, strength });
      seen[strength] = { temperature: last().temperature, user: String(last().messages!.at(-1)!.content) };
    }
    expect(seen.subtle!.temperature).toBe(0.5);
    expect(seen.balanced!.temperature).toBe(0.7);
    expect(seen.strong!.temperature).toBe(0.9);
    expect(seen.subtle!.user).toContain(STRENGTHS.subtle.note);
    expect(seen.strong!.user).toContain(STRENGTHS.strong.note);
    expect(seen.balanced!.user).not.toContain(STRENGTHS.subtle.note);
    expect(seen.balanced!.user).not.toContain(STRENGTHS.strong.note);
    // Without the dial the request is exactly the balanced one.
    await rewritePrompt(client(), { prompt: 'a boat in a harbour', persona: PERSONA });
    expect(String(last().messages!.at(-1)!.content)).toBe(seen.balanced!.user);

    await rewritePrompt(client(), { prompt: 'a boat in a harbour', persona: PERSONA, strength: 'strong', temperature: 0.2 });
    expect(last().temperature).toBe(0.2);
  });

  it('the paper protocol keeps the paper’s wording and temperature, and says the dial was ignored', async () => {
    const result = await rewritePrompt(client(), { prompt: 'a boat in a harbour', persona: PERSONA, strength: 'strong' }, { protocol: 'paper' });
    expect(String(last().messages!.at(-1)!.content)).not.toContain(STRENGTHS.strong.note);
    expect(result.warnings).toContain('strength "strong" is not part of the paper protocol; it was ignored');
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { createLlmClient } from '../../shared/llm/client.ts';
import { rewritePrompt } from '../../shared/rewrite/index.ts';
import { splitPrompt } from '../../shared/rewrite/syntax.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { startTestZipp, type TestZipp } from '../helpers/server-app.ts';

/**
 * Site syntax through the whole rewrite — the shared pipeline, the server's /v1/rewrite (JSON and SSE) and
 * `zipp rewrite` — against the real OpenAI-compatible test server: the model never sees the parameters,
 * and the rewrite carries them byte for byte.
 */
const PERSONA = 'You shoot long exposures of northern harbours in winter; slate-blue light and quiet water are what you look for.';
const MJ = 'https://s.mj.run/abc123 a lighthouse on a cliff at dawn --ar 16:9 --stylize 250 --v 6.1 --no text, watermark --sref https://s.mj.run/xyz789';
const SD = 'masterpiece, best quality, (a red fox:1.3) in deep snow, [winter:spring:0.6], <lora:film_grain_v2:0.55> BREAK soft light, embedding:EasyNegative';

let llm: OpenAiTestServer;
let zipp: TestZipp;
const client = () => createLlmClient({ baseUrl: llm.url, model: 'zipp-test-model' }, { retry: { baseDelayMs: 1 } });
const lastUser = () => String(llm.chatBodies().at(-1)!.messages!.at(-1)!.content);

beforeAll(async () => {
  llm = await startOpenAiServer();
  zipp = await startTestZipp({ env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' } });
});
afterAll(async () => {
  await zipp?.close();
  await llm?.close();
});
afterEach(() => llm.reset());

describe('rewriting keeps site syntax byte for byte', () => {
  it('Midjourney: image URLs and parameters never reach the model and come back exactly, streamed too', async () => {
    const deltas: string[] = [];
    const result = await rewritePrompt(client(), { prompt: MJ, persona: PERSONA, syntax: 'auto' }, { onDelta: (d) => deltas.push(d) });
    expect(lastUser()).toMatch(/Base prompt: a lighthouse on a cliff at dawn$/);
    expect(JSON.stringify(llm.chatBodies())).not.toMatch(/--ar|s\.mj\.run|stylize/);
    const split = splitPrompt(MJ);
    expect(result.rewritten.startsWith('https://s.mj.run/abc123 a lighthouse on a cliff at dawn, ')).toBe(true);
    expect(result.rewritten.endsWith(split.suffix)).toBe(true);
    expect(result.rewritten).toMatch(/harbours|slate-blue|winter|light/);
    expect(deltas.join('')).toBe(result.rewritten);
  });

  it('Stable Diffusion: weights, prompt editing, LoRA tags, BREAK and embeddings stay, in place', async () => {
    const result = await rewritePrompt(client(), { prompt: SD, persona: PERSONA, syntax: 'stable-diffusion' });
    expect(lastUser()).toContain('Base prompt: masterpiece, best quality, ⟦1⟧ in deep snow, ⟦2⟧, ⟦3⟧ ⟦4⟧ soft light, ⟦5⟧');
    expect(lastUser()).toMatch(/placeholders \(⟦1⟧ ⟦2⟧ ⟦3⟧ ⟦4⟧ ⟦5⟧\) for the image site's own syntax/);
    expect(result.rewritten.startsWith(SD)).toBe(true);
    expect(result.warnings ?? []).toEqual([]);
  });

  it('a model that drops the placeholders still gives a prompt with every piece (at the end), and says so', async () => {
    llm.setResponder(() => 'masterpiece, best quality, a red fox curled in deep snow at the harbour, soft slate-blue light');
    const result = await rewritePrompt(client(), { prompt: SD, persona: PERSONA, syntax: 'auto' });
    expect(result.rewritten).toBe(
      'masterpiece, best quality, a red fox curled in deep snow at the harbour, soft slate-blue light, (a red fox:1.3), [winter:spring:0.6], <lora:film_grain_v2:0.55>, BREAK, embedding:EasyNegative',
    );
    expect(result.warnings).toContain("the model dropped 5 pieces of the prompt's syntax ((a red fox:1.3) [winter:spring:0.6] <lora:film_grain_v2:0.55> BREAK embedding:EasyNegative); added back at the end");
  });

  it('few-shot examples reach the model without their syntax', async () => {
    const history = ['a quiet fjord at night --ar 3:2 --v 6', 'fishing boats in fog::2 gulls::0.5 --stylize 100'];
    await rewritePrompt(client(), { prompt: MJ, persona: PERSONA, method: 'fewshot', history, syntax: 'auto' });
    expect(lastUser()).toContain('- a quiet fjord at night\n- fishing boats in fog gulls');
    expect(lastUser()).not.toMatch(/--|::/);
  });

  it('the core leaves prompts alone unless asked (syntax "none" is its default)', async () => {
    await rewritePrompt(client(), { prompt: MJ, persona: PERSONA });
    expect(lastUser()).toContain(`Base prompt: ${MJ}`);
  });

  it('a prompt that is only parameters is refused, naming the field', async () => {
    await expect(rewritePrompt(client(), { prompt: 'https://s.mj.run/abc --ar 16:9 --v 6', persona: PERSONA, syntax: 'auto' })).rejects.toThrow(
      /^prompt: only midjourney syntax \(parameters, weights, tags\) and no words to rewrite/,
    );
  });

  it('POST /v1/rewrite keeps it by default, in JSON and in the event stream; syntax "none" turns it off', async () => {
    const json = await zipp.json('POST', '/v1/rewrite', { prompt: MJ, persona: PERSONA });
    expect(json.status).toBe(200);
    expect(json.body.rewritten.endsWith(splitPrompt(MJ).suffix)).toBe(true);
    expect(JSON.stringify(llm.chatBodies())).not.toContain('--ar');

    const res = await zipp.call('POST', '/v1/rewrite?stream=true', { prompt: SD, persona: PERSONA });
    const sse = await res.text();
    const streamed = [...sse.matchAll(/event: delta\ndata: (.*)\n/g)].map((m) => (JSON.parse(m[1]!) as { text: string }).text).join('');
    expect(streamed.startsWith(SD)).toBe(true);
    expect(sse).not.toContain('⟦');
    const result = JSON.parse(/event: result\ndata: (.*)\n/.exec(sse)![1]!) as { rewritten: string };
    expect(result.rewritten.startsWith(SD)).toBe(true);

    llm.reset();
    expect((await zipp.json('POST', '/v1/rewrite', { prompt: MJ, persona: PERSONA, syntax: 'none' })).status).toBe(200);
    expect(lastUser()).toContain(`Base prompt: ${MJ}`);
    const bad = await zipp.json('POST', '/v1/rewrite', { prompt: MJ, syntax: 'photoshop' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/syntax/);
  });

  it('zipp rewrite keeps it by default, and --syntax is checked', async () => {
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['rewrite', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' } });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    };
    const ok = await run(['--prompt', MJ, '--persona', PERSONA, '--json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { rewritten: string }).rewritten.endsWith(splitPrompt(MJ).suffix)).toBe(true);
    const bad = await run(['--prompt', MJ, '--syntax', 'photoshop']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--syntax: expected one of auto, midjourney, stable-diffusion, none/);
  });
});

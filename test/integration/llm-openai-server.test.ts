import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashEmbedding, startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

// The shared test server speaks the OpenAI wire format exactly; checked here with raw fetch so that other
// areas can rely on it without reading its code.
let llm: OpenAiTestServer;
beforeAll(async () => {
  llm = await startOpenAiServer();
});
afterAll(() => llm.close());
afterEach(() => llm.reset());

const post = (path: string, body: unknown) =>
  fetch(`${llm.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const rewrite = (persona?: string) => ({
  model: 'm',
  messages: [...(persona ? [{ role: 'system', content: persona }] : []), { role: 'user', content: 'Make it vivid.\nBase prompt: a dog in a park' }],
});
const answer = async (body: unknown) => ((await (await post('/chat/completions', body)).json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;

describe('OpenAI test server', () => {
  it('streams SSE in the OpenAI chunk format, with a final usage chunk and [DONE]', async () => {
    const res = await post('/chat/completions', { ...rewrite('You love jazz and jazz clubs.'), stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }], usage: null });
    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('a dog in a park, jazz, love, clubs');
  });

  it('derives rewrites from the persona, the examples, or neither', async () => {
    expect(await answer(rewrite('You are a potter who loves clay, glaze and kilns; clay everywhere.'))).toBe('a dog in a park, clay, potter, loves');
    const fewshot = { model: 'm', messages: [{ role: 'user', content: 'Examples:\n- neon city at night\n- neon rain on glass\nBase prompt: a dog in a park' }] };
    expect(await answer(fewshot)).toBe('a dog in a park, neon, city, night');
    expect(await answer(rewrite())).toBe('a dog in a park, detailed composition, soft natural light');
  });

  it('derives a second-person persona from evidence', async () => {
    const text = await answer({
      model: 'm',
      messages: [{ role: 'user', content: 'Write a persona paragraph from these posts.\nr/analog: my film camera and film scans\nr/sourdough: film nights and bread baking, bread again' }],
    });
    expect(text).toMatch(/^You are someone who cares about film, bread/);
    expect(text).toContain('r/analog, r/sourdough');
  });

  it('scripted behaviours: wrap, drop-subject, echo, error with Retry-After, models', async () => {
    llm.enqueue({ kind: 'wrap', style: 'all' }, { kind: 'drop-subject' }, { kind: 'drop-subject', words: ['park'] }, { kind: 'echo' });
    expect(await answer(rewrite())).toMatch(/^Sure! Here's the rewritten prompt:\n\n\*\*Rewritten prompt:\*\* "a dog in a park, .*"\n\nNote:/);
    const dropped = await answer(rewrite('You adore art deco.'));
    expect(dropped).not.toMatch(/dog|park/);
    expect(await answer(rewrite())).toBe('a dog in a, detailed composition, soft natural light');
    expect(await answer(rewrite())).toBe('a dog in a park');
    llm.enqueue({ kind: 'error', status: 429, retryAfter: 7 });
    const limited = await post('/chat/completions', rewrite());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    const models = (await (await fetch(`${llm.url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['zipp-test-model']);
    expect(llm.requests.map((r) => r.route)).toEqual(['chat', 'chat', 'chat', 'chat', 'chat', 'models']);
  });

  it('embeddings: float and base64 encodings carry the same normalised vector', async () => {
    const asFloat = (await (await post('/embeddings', { model: 'e', input: ['a red fox'], dimensions: 16, encoding_format: 'float' })).json()) as { data: { embedding: number[] }[] };
    const asB64 = (await (await post('/embeddings', { model: 'e', input: 'a red fox', dimensions: 16, encoding_format: 'base64' })).json()) as { data: { embedding: string }[] };
    const decoded = Array.from(new Float32Array(new Uint8Array(Buffer.from(asB64.data[0]!.embedding, 'base64')).buffer));
    expect(asFloat.data[0]!.embedding).toEqual(hashEmbedding('a red fox', 16));
    decoded.forEach((x, i) => expect(x).toBeCloseTo(asFloat.data[0]!.embedding[i]!, 6));
    expect(Math.hypot(...asFloat.data[0]!.embedding)).toBeCloseTo(1, 9);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedderFromConfig } from '../../shared/embed/from-config.ts';
import { OpenAiTextEmbedder } from '../../shared/embed/openai.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/** Community features from an OpenAI-compatible /v1/embeddings endpoint (a real HTTP server on 127.0.0.1). */
let server: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
});

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('OpenAI-compatible embedder', () => {
  it('learns the vector size from the endpoint and returns unit vectors in order', async () => {
    const embedder = await OpenAiTextEmbedder.connect({ baseUrl: server.url, apiKey: 'k', model: 'm' }, { model: 'text-embedding-3-small', dimensions: 64 });
    expect(embedder.dimension).toBe(64);
    const [photo, photo2, cooking] = await embedder.embed(['photography cameras lenses', 'cameras and lenses for photography', 'kitchen recipes']);
    expect(Math.hypot(...photo!)).toBeCloseTo(1, 5);
    expect(cos(photo!, photo2!)).toBeGreaterThan(cos(photo!, cooking!));
    expect(embedder.describe()).toEqual({ kind: 'openai', model: 'text-embedding-3-small', dimension: 64 });
    const bodies = server.requests.filter((r) => r.route === 'embeddings').map((r) => r.body as { input: string[]; dimensions?: number });
    expect(bodies.at(-1)).toMatchObject({ input: ['photography cameras lenses', 'cameras and lenses for photography', 'kitchen recipes'], dimensions: 64 });
  });

  it('is rebuilt from a model’s stored config only when an endpoint is given', async () => {
    const config = { kind: 'openai' as const, model: 'text-embedding-3-small', dimension: 32 };
    expect(await embedderFromConfig(config)).toBeUndefined();
    const rebuilt = await embedderFromConfig(config, { llm: { baseUrl: server.url, apiKey: 'k', model: 'm' } });
    expect(rebuilt!.dimension).toBe(32);
  });

  it('surfaces an endpoint error at connect time', async () => {
    server.enqueue({ route: 'embeddings', kind: 'error', status: 401, message: 'bad key' });
    await expect(OpenAiTextEmbedder.connect({ baseUrl: server.url, apiKey: 'k', model: 'm', maxRetries: 0 }, { model: 'x' })).rejects.toThrow();
  });
});

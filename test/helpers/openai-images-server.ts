import { keyedPng } from './png.ts';
import { startTestServer, type CommonBehaviour, type Scripted, type TestServer } from './http-test-server.ts';

/**
 * An OpenAI-compatible Images API stand-in on 127.0.0.1 (the LLM routes live in openai-server.ts):
 * POST /v1/images/generations {model, prompt, n, size, response_format?, quality?} →
 * {created, data: [{b64_json}]} with real PNG bytes derived from model, prompt, size, quality and a
 * per-request counter (the API has no seed, so two identical requests get different pictures, as with
 * the real service). Like OpenAI, gpt-image-* models reject `response_format` with a 400, and a missing
 * prompt is a 400 invalid_request_error.
 * Behaviours (route 'images'): { kind: 'error', status, body? } | { kind: 'drop-connection' } | { kind: 'hang' }.
 */
export type ImagesBehaviour = Scripted & CommonBehaviour;

const openAiError = (message: string, param: string | null) => ({ error: { message, type: 'invalid_request_error', param, code: null } });

export async function startOpenAiImagesServer(): Promise<TestServer<ImagesBehaviour>> {
  let counter = 0;
  return startTestServer<ImagesBehaviour>((app, t) => {
    app.post('/v1/images/generations', async (c) => {
      const { body, behaviour } = await t.enter(c, 'images');
      const answered = await t.common(c, behaviour);
      if (answered) return answered;
      const b = (body ?? {}) as { model?: string; prompt?: unknown; size?: string; response_format?: string; quality?: string; n?: number };
      if (typeof b.prompt !== 'string' || !b.prompt) return c.json(openAiError("Missing required parameter: 'prompt'.", 'prompt'), 400);
      if (b.model?.startsWith('gpt-image') && b.response_format !== undefined) {
        return c.json(openAiError("Unknown parameter: 'response_format'.", 'response_format'), 400);
      }
      if (b.response_format === 'url') return c.json(openAiError('This test server only answers b64_json.', 'response_format'), 400);
      const n = b.n ?? 1;
      const data = Array.from({ length: n }, () => ({ b64_json: Buffer.from(keyedPng(JSON.stringify([b.model, b.prompt, b.size, b.quality, ++counter]))).toString('base64') }));
      return c.json({ created: Math.floor(Date.now() / 1000), data });
    });
  });
}

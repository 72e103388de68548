import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A1111Engine } from '../../server/engines/a1111.ts';
import { ComfyUiEngine } from '../../server/engines/comfyui.ts';
import { OpenAiImagesEngine } from '../../server/engines/openai-images.ts';
import { MODEL_NAMES } from '../../server/engines/presets.ts';
import { resolveRequest } from '../../server/engines/resolve-request.ts';
import { EngineError } from '../../server/engines/types.ts';
import { startA1111Server, type A1111Behaviour } from '../helpers/a1111-server.ts';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import type { TestServer } from '../helpers/http-test-server.ts';
import { startOpenAiImagesServer, type ImagesBehaviour } from '../helpers/openai-images-server.ts';
import { isPng } from '../helpers/png.ts';

const fox = (model: (typeof MODEL_NAMES)[number] = 'sdxl', seed = 1) => resolveRequest({ prompt: 'a red fox in the snow', seed, model, width: 64, height: 64 });

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe('ComfyUI engine', () => {
  let comfy: ComfyTestServer;
  let engine: ComfyUiEngine;
  beforeAll(async () => {
    comfy = await startComfyUiServer({ runningPolls: 2 });
    engine = new ComfyUiEngine({ url: `${comfy.url}/`, pollMs: 5 });
  });
  afterAll(() => comfy.close());

  it.each(MODEL_NAMES)('queues the %s template, polls /history and fetches the PNG from /view', async (model) => {
    const before = comfy.count('history');
    const image = await engine.generate(fox(model));
    expect(image.mime).toBe('image/png');
    expect(isPng(image.bytes)).toBe(true);
    expect(comfy.count('history') - before).toBe(3); // two "still running" answers, then the result
    const sent = comfy.workflows().at(-1)!;
    const sampler = Object.values(sent).find((n) => n.class_type === 'KSampler')!.inputs;
    expect(sampler).toMatchObject({ seed: 1, steps: 50, cfg: model === 'flux-dev' ? 1 : model === 'sdxl' ? 7 : 5 });
    expect(Object.values(sent).filter((n) => n.class_type === 'CLIPTextEncode').map((n) => n.inputs.text)).toEqual(['a red fox in the snow', '']);
    const view = comfy.requests.filter((r) => r.route === 'view').at(-1)!;
    expect(view.query).toMatchObject({ type: 'output', subfolder: '' });
  });

  it('draws the same picture for the same request and another for another seed', async () => {
    const a = await engine.generate(fox('sdxl', 5));
    const b = await engine.generate(fox('sdxl', 5));
    const c = await engine.generate(fox('sdxl', 6));
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
  });

  it('uses model file overrides and custom workflows', async () => {
    const custom = new ComfyUiEngine({
      url: comfy.url,
      pollMs: 5,
      files: { sdxl: { checkpoint: 'juggernaut.safetensors' } },
      workflows: {
        sd3: {
          '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'mine.safetensors' } },
          '2': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['1', 1] } },
          '3': { class_type: 'EmptySD3LatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: 1 } },
          '4': { class_type: 'KSampler', inputs: { seed: '{{seed}}', steps: '{{steps}}', cfg: '{{guidance}}', model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0] } },
          '5': { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['1', 2] } },
          '6': { class_type: 'PreviewImage', inputs: { images: ['5', 0] } },
        },
      },
    });
    await custom.generate(fox('sdxl'));
    expect(Object.values(comfy.workflows().at(-1)!).find((n) => n.class_type === 'CheckpointLoaderSimple')!.inputs.ckpt_name).toBe('juggernaut.safetensors');
    expect(isPng((await custom.generate(fox('sd3'))).bytes)).toBe(true);
    expect(comfy.workflows().at(-1)!['4']!.inputs).toMatchObject({ seed: 1, steps: 50, cfg: 5 });
    expect(custom.identity('sdxl')).not.toEqual(engine.identity('sdxl'));
  });

  it('reports a rejected workflow as final and a failed run or a non-image as retryable', async () => {
    comfy.enqueue({ route: 'prompt', kind: 'error', status: 400, body: { error: { type: 'prompt_outputs_failed_validation', message: 'Value not in list: ckpt_name' }, node_errors: {} } });
    const rejected = await failure(engine.generate(fox()));
    expect(rejected.retryable).toBe(false);
    expect(rejected.message).toMatch(/rejected the workflow: .*Value not in list: ckpt_name/);

    comfy.enqueue({ route: 'prompt', kind: 'execution-error' });
    const crashed = await failure(engine.generate(fox()));
    expect(crashed.retryable).toBe(true);
    expect(crashed.message).toMatch(/failed prompt .*KSampler: CUDA out of memory\./);

    comfy.enqueue({ route: 'view', kind: 'not-an-image' });
    expect((await failure(engine.generate(fox()))).retryable).toBe(true);

    comfy.enqueue({ route: 'history', kind: 'drop-connection' });
    expect((await failure(engine.generate(fox()))).retryable).toBe(true);
  });

  it('gives up on a hanging server after its request timeout', async () => {
    const quick = new ComfyUiEngine({ url: comfy.url, pollMs: 5, requestTimeoutMs: 150 });
    comfy.enqueue({ route: 'prompt', kind: 'hang' });
    const err = await failure(quick.generate(fox()));
    expect(err.message).toMatch(/no answer within 150 ms/);
    expect(err.retryable).toBe(true);
  });
});

describe('AUTOMATIC1111 engine', () => {
  let a1111: TestServer<A1111Behaviour>;
  beforeAll(async () => void (a1111 = await startA1111Server()));
  afterAll(() => a1111.close());

  it('sends the preset to txt2img and decodes the base64 PNG', async () => {
    const engine = new A1111Engine({ url: a1111.url, checkpoints: { sdxl: 'sd_xl_base_1.0.safetensors [31e35c80fc]' } });
    const image = await engine.generate(fox('sdxl', 3));
    expect(isPng(image.bytes)).toBe(true);
    expect(a1111.requests.at(-1)!.body).toMatchObject({
      prompt: 'a red fox in the snow', negative_prompt: '', seed: 3, steps: 50, cfg_scale: 7, width: 64, height: 64, batch_size: 1,
      override_settings: { sd_model_checkpoint: 'sd_xl_base_1.0.safetensors [31e35c80fc]' },
    });
    await engine.generate(fox('flux-dev', 3));
    expect(a1111.requests.at(-1)!.body).toMatchObject({ cfg_scale: 1, distilled_cfg_scale: 4 });
  });

  it('classifies failures', async () => {
    const engine = new A1111Engine({ url: a1111.url });
    a1111.enqueue({ route: 'txt2img', kind: 'error', status: 500 });
    expect((await failure(engine.generate(fox()))).retryable).toBe(true);
    a1111.enqueue({ route: 'txt2img', kind: 'error', status: 422, body: { detail: [{ loc: ['body', 'steps'], msg: 'value is not a valid integer' }] } });
    const invalid = await failure(engine.generate(fox()));
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toMatch(/HTTP 422 .*not a valid integer/);
    a1111.enqueue({ route: 'txt2img', kind: 'no-images' });
    expect((await failure(engine.generate(fox()))).message).toMatch(/without images/);
    await expect(new A1111Engine({ url: 'http://127.0.0.1:1' }).generate(fox())).rejects.toMatchObject({ retryable: true });
    expect(() => new A1111Engine({ url: 'ftp://x' })).toThrow(/must be http\(s\)/);
  });
});

describe('OpenAI Images engine', () => {
  let images: TestServer<ImagesBehaviour>;
  beforeAll(async () => void (images = await startOpenAiImagesServer()));
  afterAll(() => images.close());

  it('asks for base64 from DALL·E and leaves response_format out for gpt-image', async () => {
    const dalle = new OpenAiImagesEngine({ url: `${images.url}/v1`, model: 'dall-e-3', quality: 'hd' });
    expect(isPng((await dalle.generate(fox())).bytes)).toBe(true);
    expect(images.requests.at(-1)!.body).toEqual({ model: 'dall-e-3', prompt: 'a red fox in the snow', n: 1, size: '64x64', response_format: 'b64_json', quality: 'hd' });
    const gpt = new OpenAiImagesEngine({ url: `${images.url}/v1`, model: 'gpt-image-1' });
    expect(isPng((await gpt.generate(fox())).bytes)).toBe(true);
    expect(images.requests.at(-1)!.body).not.toHaveProperty('response_format');
  });

  it('makes one attempt per call and classifies errors by status', async () => {
    const engine = new OpenAiImagesEngine({ url: `${images.url}/v1`, model: 'gpt-image-1' });
    const before = images.count('images');
    images.enqueue({ route: 'images', kind: 'error', status: 429, body: { error: { message: 'Rate limit reached', type: 'requests' } } });
    const limited = await failure(engine.generate(fox()));
    expect(limited.retryable).toBe(true);
    expect(limited.message).toMatch(/HTTP 429 .*Rate limit reached/);
    expect(images.count('images') - before).toBe(1);
    images.enqueue({ route: 'images', kind: 'error', status: 400, body: { error: { message: 'Your request was rejected by the safety system.', type: 'invalid_request_error' } } });
    expect((await failure(engine.generate(fox()))).retryable).toBe(false);
    images.enqueue({ route: 'images', kind: 'drop-connection' });
    expect((await failure(engine.generate(fox()))).retryable).toBe(true);
  });
});

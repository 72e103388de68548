import { keyedPng } from './png.ts';
import { startTestServer, type CommonBehaviour, type Scripted, type TestServer } from './http-test-server.ts';

/**
 * An AUTOMATIC1111 / Forge WebUI stand-in (started with --api) on 127.0.0.1:
 * POST /sdapi/v1/txt2img → {images: [base64 PNG], parameters: <request>, info: <JSON string>}.
 * The body is validated as the WebUI's FastAPI model does (prompt string; seed, steps, width, height
 * integers; cfg_scale number): a bad one gets 422 {detail: [{loc, msg, type}]}. The PNG is derived from
 * prompt, seed, steps, cfg_scale, distilled_cfg_scale, size, sampler and checkpoint.
 * Behaviours (route 'txt2img'): { kind: 'error', status } | { kind: 'drop-connection' } | { kind: 'hang' }
 * | { kind: 'no-images' } (200 with images: []).
 */
export type A1111Behaviour = Scripted & (CommonBehaviour | { kind: 'no-images' });

interface Txt2Img {
  prompt?: unknown;
  negative_prompt?: unknown;
  seed?: unknown;
  steps?: unknown;
  cfg_scale?: unknown;
  distilled_cfg_scale?: unknown;
  width?: unknown;
  height?: unknown;
  sampler_name?: unknown;
  override_settings?: { sd_model_checkpoint?: unknown };
}

export async function startA1111Server(): Promise<TestServer<A1111Behaviour>> {
  return startTestServer<A1111Behaviour>((app, t) => {
    app.post('/sdapi/v1/txt2img', async (c) => {
      const { body, behaviour } = await t.enter(c, 'txt2img');
      const answered = await t.common(c, behaviour);
      if (answered) return answered;
      const b = (body ?? {}) as Txt2Img;
      const errors: { loc: string[]; msg: string; type: string }[] = [];
      const need = (field: keyof Txt2Img, ok: boolean, msg: string, type: string) => ok || errors.push({ loc: ['body', field], msg, type });
      need('prompt', typeof b.prompt === 'string', 'str type expected', 'type_error.str');
      for (const f of ['seed', 'steps', 'width', 'height'] as const) need(f, Number.isInteger(b[f]), 'value is not a valid integer', 'type_error.integer');
      need('cfg_scale', typeof b.cfg_scale === 'number', 'value is not a valid float', 'type_error.float');
      if (errors.length) return c.json({ detail: errors }, 422);
      if (behaviour?.kind === 'no-images') return c.json({ images: [], parameters: b, info: '{}' });
      const key = JSON.stringify([b.prompt, b.negative_prompt, b.seed, b.steps, b.cfg_scale, b.distilled_cfg_scale, b.width, b.height, b.sampler_name, b.override_settings?.sd_model_checkpoint]);
      const png = Buffer.from(keyedPng(key)).toString('base64');
      return c.json({ images: [png], parameters: b, info: JSON.stringify({ prompt: b.prompt, seed: b.seed, steps: b.steps, cfg_scale: b.cfg_scale }) });
    });
  });
}

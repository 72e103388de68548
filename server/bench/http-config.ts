import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { DEFAULT_CLIP_ENDPOINT, DEFAULT_LLM_ENDPOINT, EndpointName, type Endpoints } from './endpoints.ts';
import { EngineConfig } from '../engines/config.ts';
import { BenchConfig, LlmSpec } from './config.ts';

/**
 * A benchmark run as POST /v1/bench takes it: BenchConfig, except that LLMs and the image engine are
 * picked by name among the endpoints the operator configured (`zipp serve --llm/--engine/--endpoints`,
 * ZIPP_LLM_* as `default`). A request never gives a URL or names an environment variable, so no server key
 * can be sent where the request points it; the CLI and config files keep taking URLs and `apiKeyEnv`.
 * The CLIP model likewise: one the operator named (`clip` in the endpoints file; `default` is
 * ZIPP_CLIP_MODEL, else ViT-L/14), so a request cannot make the server download any hub model it likes
 * (disk, network, untrusted ONNX graphs) or load a folder outside the data directory.
 * Job records hold this form (names, no URLs or keys); the job resolves it when it runs.
 */
const PICK_LLM =
  'over HTTP an LLM is one of the endpoints the server operator configured: pick it with "endpoint": NAME (GET /v1/config lists them); URLs and key variables are for zipp bench on the command line';
const PICK_ENGINE =
  'over HTTP an image engine is one the server operator configured: pick it with "engine": NAME or {"endpoint": NAME, …settings} (GET /v1/config lists them); URLs are for zipp bench on the command line';
const NO_KEYS = 'over HTTP keys come only from the endpoint the operator configured: remove this field';
const NO_WORKFLOWS =
  'over HTTP a ComfyUI workflow is one the operator configured (the engine\'s "workflows" in the --endpoints file; without one, the built-in templates): a workflow is a program for the GPU box (custom nodes can read files or run code), so a request cannot bring its own';
const PICK_CLIP =
  'over HTTP a CLIP model is one the server operator configured: pick it with "clip": {"endpoint": NAME} (default: the server\'s ZIPP_CLIP_MODEL, else ViT-L/14; the operator adds models under "clip" in the --endpoints file); hub ids and folders are for zipp bench on the command line';
/** A field a request may not have (any value is refused with `message`); documented in /openapi.json with that line. */
const refuse = (message: string) =>
  z
    .unknown()
    .refine((v) => v === undefined, { error: message })
    .describe(`refused over HTTP: ${message}`)
    .optional();

export const HttpLlmChoice = z.strictObject({
  baseUrl: refuse(PICK_LLM),
  apiKeyEnv: refuse(PICK_LLM),
  apiKey: refuse(NO_KEYS),
  /** An LLM endpoint's name (default: the ZIPP_LLM_* endpoint, `default`). */
  endpoint: EndpointName.default(DEFAULT_LLM_ENDPOINT),
  /** Default: the endpoint's model. */
  model: z.string().min(1).optional(),
  name: LlmSpec.shape.name,
  temperature: LlmSpec.shape.temperature,
  price: LlmSpec.shape.price,
});
export type HttpLlmChoice = z.output<typeof HttpLlmChoice>;

/** Settings a request may change on the operator's engine (never where it is or how it authenticates). */
export const HttpEngineChoice = z.preprocess(
  (v) => (typeof v === 'string' ? { endpoint: v } : v),
  z.strictObject({
    kind: refuse(PICK_ENGINE),
    urls: refuse(PICK_ENGINE),
    apiKey: refuse(NO_KEYS),
    apiKeyEnv: refuse(NO_KEYS),
    endpoint: EndpointName,
    concurrency: z.number().int().min(1).max(64).optional(),
    retries: z.number().int().min(0).max(20).optional(),
    timeoutMs: z.number().int().positive().optional(),
    /** Relative to the data directory. */
    cacheDir: z.string().min(1).optional(),
    workflows: refuse(NO_WORKFLOWS),
    files: z.record(z.string(), z.record(z.string(), z.string().min(1))).optional(),
    pollMs: z.number().int().positive().optional(),
    checkpoints: z.record(z.string(), z.string().min(1)).optional(),
    sampler: z.string().min(1).optional(),
    scheduler: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    quality: z.string().min(1).optional(),
  }),
);
export type HttpEngineChoice = z.output<typeof HttpEngineChoice>;

/** The CLIP model by name, with the settings that are the request's to choose. */
export const HttpClipChoice = z.strictObject({
  model: refuse(PICK_CLIP),
  /** A CLIP model's name (default: `default`, the server's ZIPP_CLIP_MODEL or ViT-L/14). */
  endpoint: EndpointName.default(DEFAULT_CLIP_ENDPOINT),
  batchSize: BenchConfig.shape.clip.unwrap().shape.batchSize,
  dtype: BenchConfig.shape.clip.unwrap().shape.dtype,
});

export const HttpBenchConfig = BenchConfig.extend({
  /** Rewriting LLMs by endpoint name; default: the `default` endpoint's model. */
  llms: z.array(HttpLlmChoice).min(1).optional(),
  engine: HttpEngineChoice,
  clip: HttpClipChoice.default({ endpoint: DEFAULT_CLIP_ENDPOINT, batchSize: 16, dtype: 'fp32' }),
});
export type HttpBenchConfig = z.output<typeof HttpBenchConfig>;

/** A choice that names no configured endpoint (or a model it does not allow), with the field to blame. */
export class EndpointChoiceError extends InputError {
  declare readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, { field });
  }
}

/** What the ZIPP_LLM_* endpoint (`default`) is, if configured. */
export interface DefaultLlm {
  configured: boolean;
  model?: string;
}

/** Engine settings that only some kinds take. */
const KIND_ONLY: Record<string, string> = {
  files: 'comfyui',
  pollMs: 'comfyui',
  checkpoints: 'a1111',
  sampler: 'a1111',
  scheduler: 'a1111',
  model: 'openai',
  quality: 'openai',
};

/**
 * The run as the bench runner takes it: each LLM choice becomes the operator's URL and key variable, the
 * engine the operator's engine with the request's settings on top. Throws EndpointChoiceError.
 */
export function resolveHttpBenchConfig(http: HttpBenchConfig, endpoints: Endpoints, defaultLlm: DefaultLlm): BenchConfig {
  const llmNames = [...(defaultLlm.configured ? [DEFAULT_LLM_ENDPOINT] : []), ...Object.keys(endpoints.llms)];
  const llms = http.llms?.map((choice, i): LlmSpec => {
    const field = `llms.${i}`;
    const common = { ...(choice.name ? { name: choice.name } : {}), ...(choice.temperature !== undefined ? { temperature: choice.temperature } : {}), ...(choice.price ? { price: choice.price } : {}) };
    if (choice.endpoint === DEFAULT_LLM_ENDPOINT && defaultLlm.configured) {
      const model = choice.model ?? defaultLlm.model;
      if (!model) throw new EndpointChoiceError(`${field}.model`, 'the default endpoint has no model set (ZIPP_LLM_MODEL): name one');
      // No baseUrl: the environment's own endpoint, with the environment's own key.
      return { ...common, model };
    }
    const endpoint = endpoints.llms[choice.endpoint];
    if (!endpoint) {
      throw new EndpointChoiceError(
        `${field}.endpoint`,
        `no LLM endpoint ${choice.endpoint} on this server; it has ${llmNames.length ? llmNames.join(', ') : 'none'} (the operator adds them with zipp serve --llm NAME=URL or --endpoints FILE)`,
      );
    }
    const model = choice.model ?? endpoint.model;
    if (!model) throw new EndpointChoiceError(`${field}.model`, `endpoint ${choice.endpoint} has no default model: name one${endpoint.models ? ` of ${endpoint.models.join(', ')}` : ''}`);
    if (endpoint.models && !endpoint.models.includes(model)) {
      throw new EndpointChoiceError(`${field}.model`, `endpoint ${choice.endpoint} serves only ${endpoint.models.join(', ')} to benchmarks`);
    }
    return { ...common, model, baseUrl: endpoint.baseUrl, ...(endpoint.apiKeyEnv ? { apiKeyEnv: endpoint.apiKeyEnv } : {}) };
  });

  const { endpoint: engineName, ...settings } = http.engine;
  const engine = endpoints.engines[engineName];
  if (!engine) {
    const names = Object.keys(endpoints.engines);
    throw new EndpointChoiceError(
      'engine',
      `no image engine ${engineName} on this server; it has ${names.length ? names.join(', ') : 'none'} (the operator adds them with zipp serve --engine NAME:KIND=URL or --endpoints FILE)`,
    );
  }
  for (const key of Object.keys(settings)) {
    const only = KIND_ONLY[key];
    if (only && only !== engine.kind) throw new EndpointChoiceError(`engine.${key}`, `only a ${only} engine takes ${key}; engine ${engineName} is ${engine.kind}`);
  }
  const merged = EngineConfig.safeParse({ ...engine, ...settings });
  if (!merged.success) {
    const issue = merged.error.issues[0]!;
    throw new EndpointChoiceError(`engine.${issue.path.map(String).join('.')}`, issue.message);
  }
  const { endpoint: clipName, ...clipSettings } = http.clip;
  let clip: BenchConfig['clip'] = clipSettings;
  if (clipName !== DEFAULT_CLIP_ENDPOINT) {
    const named = endpoints.clip?.[clipName];
    if (!named) {
      const names = [DEFAULT_CLIP_ENDPOINT, ...Object.keys(endpoints.clip ?? {})];
      throw new EndpointChoiceError('clip.endpoint', `no CLIP model ${clipName} on this server; it has ${names.join(', ')} (the operator adds them under "clip" in zipp serve --endpoints FILE)`);
    }
    clip = { ...clipSettings, model: named.model };
  }
  const { llms: _choices, engine: _engine, clip: _clip, ...rest } = http;
  return { ...rest, ...(llms ? { llms } : {}), engine: merged.data, clip };
}

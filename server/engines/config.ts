import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Env } from '../../shared/llm/settings.ts';
import { InputError } from '../../shared/errors.ts';
import { A1111Engine } from './a1111.ts';
import { parseWorkflow } from './comfyui-workflow.ts';
import { ComfyUiEngine } from './comfyui.ts';
import { ImageCache } from './image-cache.ts';
import { OpenAiImagesEngine } from './openai-images.ts';
import { EnginePool, type PoolOptions } from './pool.ts';
import { MODEL_NAMES, type ModelPresetName } from './presets.ts';
import type { ImageEngine } from './types.ts';

/** The name of an environment variable (where a key lives: keys never go into config files or job records). */
export const EnvVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'apiKeyEnv names an environment variable, e.g. OPENROUTER_API_KEY');

const Model = z.enum(MODEL_NAMES as [ModelPresetName, ...ModelPresetName[]]);
const PerModel = <T extends z.ZodType>(t: T) => z.partialRecord(Model, t);

/**
 * One image backend for a run, as a study config or `zipp bench` flags describe it: the engine kind,
 * one or more URLs of identical engines (work is spread across them), per-URL concurrency, retries and
 * the cache directory.
 */
const common = {
  /** Images each URL works on at once. */
  concurrency: z.number().int().min(1),
  retries: z.number().int().min(0).max(20).default(3),
  /** Content-addressed image cache; without it nothing is reused across runs. */
  cacheDir: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
};

export const EngineConfig = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('comfyui'),
    urls: z.array(z.url()).min(1),
    /** Per model: path of an API-format workflow to use instead of the built-in template. */
    workflows: PerModel(z.string().min(1)).optional(),
    files: PerModel(z.record(z.string(), z.string().min(1))).optional(),
    pollMs: z.number().int().positive().optional(),
    ...common,
    concurrency: common.concurrency.default(1),
  }),
  z.object({
    kind: z.literal('a1111'),
    urls: z.array(z.url()).min(1),
    checkpoints: PerModel(z.string().min(1)).optional(),
    sampler: z.string().min(1).optional(),
    scheduler: z.string().min(1).optional(),
    ...common,
    concurrency: common.concurrency.default(1),
  }),
  z.object({
    kind: z.literal('openai'),
    urls: z.array(z.url()).min(1).default(['https://api.openai.com/v1']),
    /** The environment variable holding the API key (read when the pool is built). */
    apiKeyEnv: EnvVarName.optional(),
    apiKey: z
      .never({ error: 'keys never go into engine configs (they would be copied into manifests and job records): put the key in an environment variable and name it in apiKeyEnv' })
      .optional(),
    model: z.string().min(1).default('gpt-image-1'),
    quality: z.string().min(1).optional(),
    ...common,
    // A hosted API takes several requests at once.
    concurrency: common.concurrency.default(4),
  }),
]);
export type EngineConfig = z.output<typeof EngineConfig>;
export type EngineConfigInput = z.input<typeof EngineConfig>;

export interface EnginePoolOptions extends Omit<PoolOptions, 'cache' | 'retries'> {
  /** Where `apiKeyEnv` is looked up (default process.env). */
  env?: Env;
}

/** Builds the engines and the pool (with its cache when cacheDir is set) from a validated config. */
export function createEnginePool(input: EngineConfigInput, options: EnginePoolOptions = {}): EnginePool {
  const config = EngineConfig.parse(input);
  const { env = process.env, ...poolOptions } = options;
  const apiKey = config.kind === 'openai' && config.apiKeyEnv ? env[config.apiKeyEnv]?.trim() : undefined;
  if (config.kind === 'openai' && config.apiKeyEnv && !apiKey) throw new InputError(`engine.apiKeyEnv: the environment variable ${config.apiKeyEnv} is not set`);
  const engines = config.urls.map((url): ImageEngine => {
    switch (config.kind) {
      case 'comfyui': {
        const workflows = Object.fromEntries(
          Object.entries(config.workflows ?? {}).map(([model, path]) => [model, parseWorkflow(JSON.parse(readFileSync(path, 'utf8')), path)]),
        );
        return new ComfyUiEngine({ url, workflows, files: config.files, pollMs: config.pollMs, timeoutMs: config.timeoutMs });
      }
      case 'a1111':
        return new A1111Engine({ url, checkpoints: config.checkpoints, sampler: config.sampler, scheduler: config.scheduler, timeoutMs: config.timeoutMs });
      case 'openai':
        return new OpenAiImagesEngine({ url, apiKey, model: config.model, quality: config.quality, timeoutMs: config.timeoutMs });
    }
  });
  return new EnginePool(
    engines.map((engine) => ({ engine, concurrency: config.concurrency })),
    { ...poolOptions, retries: config.retries, ...(config.cacheDir ? { cache: new ImageCache(config.cacheDir) } : {}) },
  );
}

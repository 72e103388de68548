import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { withoutCredentials } from '../runtime/urls.ts';
import { EngineConfig, EnvVarName } from '../engines/config.ts';
import { MODEL_NAMES, type ModelPresetName } from '../engines/presets.ts';
import { InputError } from '../../shared/errors.ts';
import { REWRITE_PROTOCOLS } from '../../shared/rewrite/rewrite.ts';
import { isWppSource } from '../datasets/population.ts';
import { DEFAULT_METHODS, parseMethodSpec, type MethodSpec } from './methods.ts';

/**
 * A benchmark run: dataset × methods × LLMs × one image engine → rewrites, images, CLIP embeddings,
 * metrics and a report. Written as a JSON file (`zipp bench --config run.json`), as CLI flags, or as the
 * body of POST /v1/bench; every field but the engine has a default.
 */

/** How PIP's test prompts become the short queries the methods rewrite (`dataset.shorten`; shorten.ts). */
export const SHORTENING_METHODS = ['rule', 'llm'] as const;

export const DATASET_KINDS = ['movielens', 'pip', 'zipbench', 'rapiddata', 'communities'] as const;

const Dataset = z.strictObject({
  kind: z.enum(DATASET_KINDS, { error: `dataset.kind must be one of ${DATASET_KINDS.join(', ')}` }),
  /**
   * Directory (movielens, pip) or file (zipbench, rapiddata; communities: the users' community lists,
   * e.g. an interactions CSV `user,community,comments`); movielens defaults to the vendored ml-latest-small.
   */
  path: z.string().min(1).optional(),
  /** communities: the users' own posts and comments, JSONL `{user, text, community?, score?}` (optional). */
  texts: z.string().min(1).optional(),
  /** communities: the prompt pool, JSONL `{prompt, user?}` or one prompt per line (required). */
  prompts: z.string().min(1).optional(),
  /** The first N users (in the dataset's order), or these user ids. Default: every user. */
  users: z.union([z.number().int().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /**
   * pip: how a test prompt without a short `query` of its own becomes the under-10-word input the methods
   * rewrite: `rule` (default: first clause, 9 words; offline, free, the same for every run) or `llm`
   * (Tailored Visions' way: the persona LLM shortens it; server/bench/shorten.ts).
   */
  shorten: z.enum(SHORTENING_METHODS, { error: 'dataset.shorten must be rule (first clause, 9 words) or llm (an LLM shortens each query)' }).optional(),
  /** Held-out prompts per user that every method rewrites (default 2, the datasets' own split). */
  queriesPerUser: z.number().int().min(1).max(50).default(2),
});

/** USD per million tokens, for the cost column (optional: without it only token counts are reported). */
const Price = z.strictObject({ input: z.number().min(0), output: z.number().min(0) });

export const LlmSpec = z.strictObject({
  /** Name in the report (default: the model). */
  name: z.string().min(1).max(80).optional(),
  model: z.string().min(1),
  /**
   * Default: ZIPP_LLM_BASE_URL / OPENAI_BASE_URL, with its key. Another URL gets no key unless `apiKeyEnv`
   * names one, so a key set for one endpoint never travels to another. (CLI and config files only: over
   * HTTP an LLM is picked by endpoint name, see http-config.ts.)
   */
  baseUrl: z.url().optional(),
  /** Environment variable holding this endpoint's key (keys never go into config files). */
  apiKeyEnv: EnvVarName.optional(),
  temperature: z.number().min(0).max(2).optional(),
  price: Price.optional(),
});
export type LlmSpec = z.output<typeof LlmSpec>;

/** A method id as text ("fewshot:5") → its MethodSpec; also the study config's arms. */
export const MethodId = z.string().transform((raw, ctx) => {
  try {
    return parseMethodSpec(raw);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** A diffusion model preset name. */
export const Model = z.enum(MODEL_NAMES as [ModelPresetName, ...ModelPresetName[]], { error: `model must be one of ${MODEL_NAMES.join(', ')}` });

/**
 * `paper`: the paper's protocol (App. B–D; every step and every remaining difference in
 * paper-protocol.md): its rewrite templates, no subject-guard retry, no word cut, T = 0.7 for every LLM.
 * `product`: the pipeline the extension ships (guard with retry, 70-word cap), to measure that instead.
 */
export const Protocol = z.enum(REWRITE_PROTOCOLS, { error: "protocol must be paper (the paper's protocol) or product (what the extension ships)" });

/** Where a mined persona's per-community importance comes from (see `importance`). */
export const IMPORTANCE_SOURCES = ['attention', 'tfidf', 'activity', 'uniform'] as const;
export type ImportanceSource = (typeof IMPORTANCE_SOURCES)[number];

/** Per-user CMMD's default least number of images per side. */
export const DEFAULT_MIN_IMAGES = 2;

/** The paper samples every LLM at this temperature (App. B.3). */
export const PAPER_TEMPERATURE = 0.7;

export const BenchConfig = z.strictObject({
  protocol: Protocol.default('paper'),
  dataset: Dataset,
  methods: z
    .array(MethodId)
    .min(1, 'name at least one method')
    .prefault([...DEFAULT_METHODS])
    .transform((specs, ctx) => {
      const ids = specs.map((s: MethodSpec) => s.id);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup) ctx.addIssue({ code: 'custom', message: `method ${dup} is listed twice` });
      return specs;
    }),
  /** Rewriting LLMs (the paper's Fig. 3 compares several). Default: the one configured by ZIPP_LLM_*. */
  llms: z.array(LlmSpec).min(1).optional(),
  /** Which LLM writes personas from history (by name; default the first). */
  personaLlm: z.string().min(1).optional(),
  engine: EngineConfig,
  /** Diffusion model preset (paper settings: 50 steps, its guidance, 1024²). */
  model: Model.default('sdxl'),
  /** Seeds per prompt (paper: 3). */
  seeds: z.number().int().min(1).max(16).default(3),
  /** Overrides of the preset, e.g. fewer steps for a smoke run. */
  generation: z
    .strictObject({
      steps: z.number().int().min(1).max(500).optional(),
      guidance: z.number().min(0).max(50).optional(),
      width: z.number().int().min(64).max(4096).optional(),
      height: z.number().int().min(64).max(4096).optional(),
    })
    .default({}),
  clip: z
    .strictObject({
      /** Hub id or local transformers.js CLIP export; default ZIPP_CLIP_MODEL, else ViT-L/14. */
      model: z.string().min(1).optional(),
      batchSize: z.number().int().min(1).max(512).default(16),
      dtype: z.enum(['fp32', 'fp16', 'q8']).default('fp32'),
    })
    .default({ batchSize: 16, dtype: 'fp32' }),
  /**
   * CMMD's reference set: the dataset's own images where it has them (ZIP-Bench), else images of the
   * user's most recent history prompts (`prompts` per user, `seeds` each) — the taste a method should
   * move towards. `none` skips CMMD.
   */
  reference: z
    .strictObject({
      kind: z.enum(['auto', 'dataset', 'history', 'none']).default('auto'),
      /** `history`: prompts per user drawn (seeded) out of the history for the reference, never shown to a method. */
      prompts: z.number().int().min(1).max(50).default(2),
      seeds: z.number().int().min(1).max(8).default(1),
      /** Seed of the context/reference split of each user's history. */
      seed: z.number().int().min(0).default(0),
      /**
       * Per-user CMMD averages over users with at least this many images on both sides (default 2, the
       * unbiased estimator's least). Set explicitly, a value no user reaches is an error before any image.
       */
      minImages: z.number().int().min(2).max(1000).optional(),
    })
    .default({ kind: 'auto', prompts: 2, seeds: 1, seed: 0 }),
  /**
   * IPF population targets, merged in order (a later source replaces an axis): wpp2024 (region,
   * gender), wpp2024-subregion, or `{"axis": {"category": share}}` files for age, language, profession.
   */
  targets: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .default('wpp2024')
    .transform((t) => (typeof t === 'string' ? [t] : t)),
  /** IPF axes to rake (default: every demographic axis the users have that the targets cover). */
  ipf: z.strictObject({ axes: z.array(z.string().min(1)).min(1).optional() }).default({}),
  /**
   * Mined personas (dataset kind communities): the importance sources, one persona per source and user.
   * attention: the encoder's; tfidf: activity share × rarity in the encoder's training graph; activity:
   * the counts alone; uniform: every community alike. Several → the ZIP Lift table (the paper's Table 10).
   */
  importance: z
    .array(z.enum(IMPORTANCE_SOURCES, { error: `importance must be among ${IMPORTANCE_SOURCES.join(', ')}` }))
    .min(1)
    .default(['attention'])
    .refine((l) => new Set(l).size === l.length, 'an importance source is listed twice'),
  /** Mined personas: the encoder model folder (default the shipped models/zipp-encoder). */
  encoder: z.strictObject({ model: z.string().min(1).optional() }).default({}),
  /** Rewrites in flight at once per LLM. */
  concurrency: z.number().int().min(1).max(64).default(4),
});
export type BenchConfig = z.output<typeof BenchConfig>;
export type BenchConfigInput = z.input<typeof BenchConfig>;

/** Validates a config, with the first problem as one line naming the field ("dataset.kind: …"). */
export function parseBenchConfig(raw: unknown, where = 'config'): BenchConfig {
  const r = BenchConfig.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new InputError(`${where}${path ? ` ${path}` : ''}: ${issue.message}`);
}

/**
 * Every file path a config holds, rewritten by `map` (which may refuse one by throwing): the dataset and
 * its texts and prompts files, the CLIP model when it is a folder, the targets files, the encoder folder,
 * the engine cache and workflow files. The CLI makes them absolute against the config file's directory;
 * the server confines them to its data directory. One list, so a new path field cannot be forgotten.
 */
export function mapConfigPaths<C extends PathFields>(config: C, map: (path: string, field: string) => string, base: string): C {
  const engine = { ...config.engine, ...(config.engine.cacheDir ? { cacheDir: map(config.engine.cacheDir, 'engine.cacheDir') } : {}) };
  if ('workflows' in engine && engine.workflows) {
    engine.workflows = Object.fromEntries(Object.entries(engine.workflows).map(([m, p]) => [m, map(p!, `engine.workflows.${m}`)]));
  }
  const d = config.dataset;
  return {
    ...config,
    dataset: {
      ...d,
      ...(d.path ? { path: map(d.path, 'dataset.path') } : {}),
      ...(d.texts ? { texts: map(d.texts, 'dataset.texts') } : {}),
      ...(d.prompts ? { prompts: map(d.prompts, 'dataset.prompts') } : {}),
    },
    // "Xenova/clip-vit-large-patch14" is a hub id; "./clip", "/models/clip" or an existing folder is a path.
    clip: { ...config.clip, ...(config.clip.model && isLocalModel(config.clip.model, base) ? { model: map(config.clip.model, 'clip.model') } : {}) },
    targets: config.targets.map((t, i) => (isWppSource(t) ? t : map(t, `targets.${i}`))),
    encoder: { ...config.encoder, ...(config.encoder.model ? { model: map(config.encoder.model, 'encoder.model') } : {}) },
    engine,
  };
}

/** The fields mapConfigPaths rewrites; the engine as BenchConfig has it or as an HTTP request picks it (http-config.ts). */
type PathFields = Pick<BenchConfig, 'dataset' | 'clip' | 'targets' | 'encoder'> & { engine: { cacheDir?: string; workflows?: Record<string, string | undefined> } };

/** Paths in a config file are relative to the file, made absolute so the run does not depend on the working directory. */
export function resolveConfigPaths(config: BenchConfig, base: string): BenchConfig {
  return mapConfigPaths(config, (p) => (isAbsolute(p) ? p : resolve(base, p)), base);
}

export const configBaseDir = (file: string) => dirname(resolve(file));

/**
 * The config as JSON again (methods as their ids), for the manifest, job records and rerunning it as a
 * file. URLs lose any user:password@ part and query (which may hold keys): keys belong in the environment.
 */
export function serializeConfig(config: { methods: readonly MethodSpec[]; llms?: readonly { baseUrl?: string }[]; engine: object }): Record<string, unknown> {
  const engine = config.engine as { urls?: string[] };
  return {
    ...config,
    methods: config.methods.map((m) => m.id),
    ...(config.llms ? { llms: config.llms.map((l) => (l.baseUrl ? { ...l, baseUrl: withoutCredentials(l.baseUrl) } : l)) } : {}),
    engine: engine.urls ? { ...engine, urls: engine.urls.map(withoutCredentials) } : engine,
  };
}

/** A CLIP model given as a path (./x, ../x, /x, or an existing folder under base) rather than a hub id. */
export const isLocalModel = (model: string, base: string): boolean => /^(\.{1,2}[\\/]|[\\/])/.test(model) || existsSync(resolve(base, model));

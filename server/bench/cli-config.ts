import { readFile } from 'node:fs/promises';
import { InputError } from '../../shared/errors.ts';
import { configBaseDir, parseBenchConfig, resolveConfigPaths, type BenchConfig } from './config.ts';

/** `zipp bench` flags that shape the run (all optional; they override the --config file). */
export interface BenchFlags {
  config?: string;
  protocol?: string;
  dataset?: string;
  data?: string;
  users?: string;
  queries?: number;
  methods?: string;
  llm?: string[];
  engine?: string[];
  engineConcurrency?: number;
  model?: string;
  seeds?: number;
  steps?: number;
  size?: number;
  clip?: string;
  reference?: string;
  targets?: string;
  concurrency?: number;
  prompts?: string;
  texts?: string;
  importance?: string;
  encoder?: string;
  minImages?: number;
  shorten?: string;
}

/**
 * The run's config: the --config file (paths relative to it), then each flag on top (paths relative to
 * the working directory), validated as a whole so every problem names its field.
 */
export async function configFromFlags(flags: BenchFlags, cwd = process.cwd()): Promise<BenchConfig> {
  let raw: Record<string, unknown> = {};
  let base = cwd;
  if (flags.config) {
    let text: string;
    try {
      text = await readFile(flags.config, 'utf8');
    } catch {
      throw new InputError(`--config: cannot read ${flags.config}: check the path`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new InputError(`--config: ${flags.config} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`--config: ${flags.config} must hold a JSON object`);
    base = configBaseDir(flags.config);
  }
  const fromFile = flags.config ? resolveConfigPaths(parseBenchConfig(withEngineDefault(raw), `--config ${flags.config}:`), base) : undefined;

  const merged: Record<string, unknown> = fromFile ? { ...raw, ...fileBackedFields(fromFile, Boolean(raw.engine)) } : {};
  const dataset = { ...((merged.dataset as object) ?? {}) } as Record<string, unknown>;
  if (flags.dataset) dataset.kind = flags.dataset;
  if (flags.data) dataset.path = flags.data;
  if (flags.users) dataset.users = /^\d+$/.test(flags.users) ? Number(flags.users) : flags.users.split(',').map((s) => s.trim()).filter(Boolean);
  if (flags.queries !== undefined) dataset.queriesPerUser = flags.queries;
  if (flags.prompts) dataset.prompts = flags.prompts;
  if (flags.texts) dataset.texts = flags.texts;
  if (flags.shorten) dataset.shorten = flags.shorten;
  if (Object.keys(dataset).length) merged.dataset = dataset;
  if (flags.protocol) merged.protocol = flags.protocol;
  if (flags.methods) merged.methods = flags.methods.split(',').map((s) => s.trim()).filter(Boolean);
  if (flags.llm?.length) merged.llms = flags.llm.map(parseLlmFlag);
  if (flags.engine?.length) merged.engine = parseEngineFlags(flags.engine, flags.engineConcurrency);
  else if (flags.engineConcurrency !== undefined && merged.engine) merged.engine = { ...(merged.engine as object), concurrency: flags.engineConcurrency };
  if (flags.model) merged.model = flags.model;
  if (flags.seeds !== undefined) merged.seeds = flags.seeds;
  if (flags.steps !== undefined || flags.size !== undefined) {
    merged.generation = {
      ...((merged.generation as object) ?? {}),
      ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
      ...(flags.size !== undefined ? { width: flags.size, height: flags.size } : {}),
    };
  }
  if (flags.clip) merged.clip = { ...((merged.clip as object) ?? {}), model: flags.clip };
  if (flags.reference) merged.reference = { ...((merged.reference as object) ?? {}), kind: flags.reference };
  if (flags.minImages !== undefined) merged.reference = { ...((merged.reference as object) ?? {}), minImages: flags.minImages };
  if (flags.targets) merged.targets = list(flags.targets);
  if (flags.importance) merged.importance = list(flags.importance);
  if (flags.encoder) merged.encoder = { ...((merged.encoder as object) ?? {}), model: flags.encoder };
  if (flags.concurrency !== undefined) merged.concurrency = flags.concurrency;
  if (!merged.dataset) throw new InputError('--dataset: required (movielens, pip, zipbench, rapiddata or communities), or give --config FILE');
  if (!merged.engine) throw new InputError('--engine: required, e.g. --engine comfyui=http://127.0.0.1:8188 (repeat for more URLs), or give --config FILE');
  return resolveConfigPaths(parseBenchConfig(merged, 'bench'), cwd);
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

/** A config file may leave the engine to the flags; validate the rest of it on its own first. */
const withEngineDefault = (raw: Record<string, unknown>) => (raw.engine ? raw : { ...raw, engine: { kind: 'comfyui', urls: ['http://127.0.0.1:8188'] } });

/** The file's path-bearing fields, already made absolute against the file's directory. */
function fileBackedFields(c: BenchConfig, hasEngine: boolean): Record<string, unknown> {
  return { dataset: c.dataset, targets: c.targets, clip: c.clip, encoder: c.encoder, ...(hasEngine ? { engine: c.engine } : {}) };
}

/** --llm MODEL or MODEL@URL (the endpoint's key still comes from ZIPP_LLM_API_KEY / OPENAI_API_KEY). */
export function parseLlmFlag(value: string): { model: string; baseUrl?: string } {
  const at = value.indexOf('@http');
  if (at === 0 || !value.trim()) throw new InputError(`--llm: "${value}" names no model; write MODEL or MODEL@URL, e.g. llama3.1@http://127.0.0.1:11434/v1`);
  return at < 0 ? { model: value.trim() } : { model: value.slice(0, at).trim(), baseUrl: value.slice(at + 1).trim() };
}

/** --engine KIND=URL, repeated for more URLs of the same engine. */
export function parseEngineFlags(values: readonly string[], concurrency?: number): Record<string, unknown> {
  const parsed = values.map((v) => {
    const m = /^(comfyui|a1111|openai)=(.+)$/.exec(v.trim());
    if (!m) throw new InputError(`--engine: "${v}" should be KIND=URL with KIND comfyui, a1111 or openai, e.g. comfyui=http://127.0.0.1:8188`);
    return { kind: m[1]!, url: m[2]! };
  });
  const kinds = new Set(parsed.map((p) => p.kind));
  if (kinds.size > 1) throw new InputError(`--engine: one run uses one engine kind; got ${[...kinds].join(' and ')}`);
  return { kind: parsed[0]!.kind, urls: parsed.map((p) => p.url), ...(concurrency !== undefined ? { concurrency } : {}) };
}

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { EngineConfig, EnvVarName } from '../engines/config.ts';
import { ConfigError } from '../../shared/errors.ts';
import { isLocalModel } from './config.ts';

/**
 * The LLM and image-engine endpoints the operator configured, by name. Over HTTP a request picks one of
 * these by name and never supplies a URL or a key variable itself, so a server key only ever reaches an
 * endpoint the operator chose for it. Sources, merged (a name may be defined once):
 *
 *   environment       ZIPP_LLM_* / OPENAI_*  → the LLM endpoint `default` (see adapters/llm.ts)
 *                     ZIPP_IMAGE_ENGINES     → `[NAME:]KIND=URL,…`, as --engine
 *                     ZIPP_ENDPOINTS         → an endpoints file, as --endpoints
 *   zipp serve flags  --llm NAME=URL, --engine [NAME:]KIND=URL (a repeated name adds URLs to one pool)
 *   endpoints file    {"llms": {NAME: {baseUrl, apiKeyEnv?, model?, models?}}, "engines": {NAME: EngineConfig},
 *                      "clip": {NAME: {model}}}
 *
 * Keys come only from environment variables the operator names in the file (`apiKeyEnv`): flags carry none.
 * CLIP models are named the same way: a request never makes the server download a hub model or load a
 * folder it chose; `default` is ZIPP_CLIP_MODEL, else the built-in ViT-L/14.
 */
export const EndpointName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an endpoint name is lower-case letters, digits and dashes, e.g. local-llama');

/** The LLM configured by ZIPP_LLM_* / OPENAI_* is always called this. */
export const DEFAULT_LLM_ENDPOINT = 'default';

export const LlmEndpoint = z.strictObject({
  /** Any OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: z.url('baseUrl: a full URL such as http://127.0.0.1:11434/v1'),
  /** The environment variable holding this endpoint's key; without one no key is sent. */
  apiKeyEnv: EnvVarName.optional(),
  /** The model used when a request names none. */
  model: z.string().min(1).optional(),
  /** When set, requests may pick only these models. */
  models: z.array(z.string().min(1)).min(1).optional(),
});
export type LlmEndpoint = z.output<typeof LlmEndpoint>;

/** A CLIP model the operator lets benchmarks score with: a hub id or a local transformers.js export. */
export const ClipModelEndpoint = z.strictObject({
  model: z.string().min(1, 'model: a hub id such as Xenova/clip-vit-base-patch32 or a folder holding a transformers.js CLIP export'),
});
export type ClipModelEndpoint = z.output<typeof ClipModelEndpoint>;

/** The CLIP model of ZIPP_CLIP_MODEL (else the built-in ViT-L/14) is always called this. */
export const DEFAULT_CLIP_ENDPOINT = 'default';

export const Endpoints = z.strictObject({
  llms: z.record(EndpointName, LlmEndpoint).default({}),
  engines: z.record(EndpointName, EngineConfig).default({}),
  /** Optional in the output too, so a config built in code (server tests) need not name it. */
  clip: z.record(EndpointName, ClipModelEndpoint).optional(),
});
export type Endpoints = z.output<typeof Endpoints>;
export type EndpointsInput = z.input<typeof Endpoints>;

/** A bad endpoint definition, as one line naming where it came from (the CLI prints it and exits 2). */
export class EndpointConfigError extends ConfigError {}

const ENGINE_ENTRY = /^(?:([a-z0-9][a-z0-9-]{0,62}):)?(comfyui|a1111|openai)$/;

/**
 * `[NAME:]KIND=URL` entries (flags, or ZIPP_IMAGE_ENGINES split on commas) → named engines; the name
 * defaults to the kind, and entries with the same name are URLs of one pool (work is spread over them).
 */
export function parseEngineEntries(entries: readonly string[], where: string): Record<string, z.input<typeof EngineConfig>> {
  const out: Record<string, { kind: 'comfyui' | 'a1111' | 'openai'; urls: string[] }> = {};
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    const at = raw.indexOf('=');
    const m = at > 0 ? ENGINE_ENTRY.exec(raw.slice(0, at)) : null;
    const url = raw.slice(at + 1);
    if (!m || !z.url().safeParse(url).success) {
      throw new EndpointConfigError(
        `${where}: "${raw}": write [NAME:]KIND=URL with KIND one of comfyui, a1111, openai, e.g. comfyui=http://127.0.0.1:8188 or gpu:comfyui=http://gpu-box:8188`,
      );
    }
    const kind = m[2] as 'comfyui' | 'a1111' | 'openai';
    const name = m[1] ?? kind;
    const existing = out[name];
    if (existing && existing.kind !== kind) throw new EndpointConfigError(`${where}: engine ${name} is both ${existing.kind} and ${kind}; give one of them another NAME:`);
    (out[name] ??= { kind, urls: [] }).urls.push(url);
  }
  return out;
}

/** `NAME=URL` entries of --llm → named LLM endpoints without a key. */
export function parseLlmEntries(entries: readonly string[], where: string): Record<string, LlmEndpoint> {
  const out: Record<string, LlmEndpoint> = {};
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    const at = raw.indexOf('=');
    const name = EndpointName.safeParse(raw.slice(0, Math.max(at, 0)));
    const url = z.url().safeParse(raw.slice(at + 1));
    if (at < 0 || !name.success || !url.success) {
      throw new EndpointConfigError(`${where}: "${raw}": write NAME=URL, e.g. local=http://127.0.0.1:11434/v1 (a name is lower-case letters, digits and dashes)`);
    }
    if (name.data === DEFAULT_LLM_ENDPOINT) throw new EndpointConfigError(`${where}: the name ${DEFAULT_LLM_ENDPOINT} is the ZIPP_LLM_* endpoint; pick another name`);
    if (out[name.data]) throw new EndpointConfigError(`${where}: the LLM endpoint ${name.data} is given twice`);
    out[name.data] = { baseUrl: url.data };
  }
  return out;
}

/** Reads and validates an endpoints file; the error names the file and the field. */
export function readEndpointsFile(file: string, where: string): Endpoints {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ? 'cannot read it: check the path' : `it is not valid JSON (${(err as Error).message.split('\n')[0]})`;
    throw new EndpointConfigError(`${where} ${file}: ${why}`);
  }
  const parsed = Endpoints.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys[0]}; a file holds "llms", "engines" and "clip"` : issue.message;
    throw new EndpointConfigError(`${where} ${file}: ${field ? `${field}: ` : ''}${message}`);
  }
  if (parsed.data.llms[DEFAULT_LLM_ENDPOINT]) {
    throw new EndpointConfigError(`${where} ${file}: llms.${DEFAULT_LLM_ENDPOINT}: that name is the ZIPP_LLM_* endpoint; pick another name`);
  }
  if (parsed.data.clip?.[DEFAULT_CLIP_ENDPOINT]) {
    throw new EndpointConfigError(`${where} ${file}: clip.${DEFAULT_CLIP_ENDPOINT}: that name is the ZIPP_CLIP_MODEL model (else ViT-L/14); pick another name`);
  }
  // Paths in the file (image caches, ComfyUI workflows) are relative to the file, as in bench configs.
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  for (const engine of Object.values(parsed.data.engines)) {
    if (engine.cacheDir) engine.cacheDir = abs(engine.cacheDir);
    if (engine.kind === 'comfyui' && engine.workflows) engine.workflows = Object.fromEntries(Object.entries(engine.workflows).map(([m, p]) => [m, abs(p!)]));
  }
  // A CLIP folder too ("./clip", or one that exists next to the file); a hub id stays as it is.
  for (const clip of Object.values(parsed.data.clip ?? {})) if (isLocalModel(clip.model, dirname(file))) clip.model = abs(clip.model);
  return parsed.data;
}

/** Merges endpoint definitions from several sources; a name defined by two of them is an error. */
export function mergeEndpoints(parts: readonly { where: string; endpoints: EndpointsInput }[]): Endpoints {
  const llms: Record<string, LlmEndpoint> = {};
  const engines: Record<string, z.input<typeof EngineConfig>> = {};
  const clip: Record<string, ClipModelEndpoint> = {};
  const seen = new Map<string, string>();
  const what = { llms: 'LLM endpoint', engines: 'engine endpoint', clip: 'CLIP model' } as const;
  for (const { where, endpoints } of parts) {
    for (const [group, target] of [
      ['llms', llms],
      ['engines', engines],
      ['clip', clip],
    ] as const) {
      for (const [name, value] of Object.entries(endpoints[group] ?? {})) {
        const key = `${group}:${name}`;
        if (seen.has(key)) throw new EndpointConfigError(`${where}: the ${what[group]} ${name} is also defined by ${seen.get(key)}; keep one`);
        seen.set(key, where);
        (target as Record<string, unknown>)[name] = value;
      }
    }
  }
  return Endpoints.parse({ llms, engines, clip });
}

/** What `zipp serve` gathers from its flags and environment into one set of named endpoints. */
export function endpointsFromServeOptions(options: { llm?: readonly string[]; engine?: readonly string[]; file?: string; env: Readonly<Record<string, string | undefined>> }): Endpoints {
  const parts: { where: string; endpoints: EndpointsInput }[] = [];
  const file = options.file ?? options.env.ZIPP_ENDPOINTS?.trim();
  if (file) parts.push({ where: options.file ? '--endpoints' : 'ZIPP_ENDPOINTS', endpoints: readEndpointsFile(file, options.file ? '--endpoints' : 'ZIPP_ENDPOINTS') });
  if (options.llm?.length) parts.push({ where: '--llm', endpoints: { llms: parseLlmEntries(options.llm, '--llm') } });
  // Flags and ZIPP_IMAGE_ENGINES together: a name repeated across them adds URLs to one pool, as flags do.
  const engineEntries = [...(options.engine ?? []), ...(options.env.ZIPP_IMAGE_ENGINES ?? '').split(',')];
  const engines = parseEngineEntries(engineEntries, options.engine?.length ? '--engine' : 'ZIPP_IMAGE_ENGINES');
  if (Object.keys(engines).length) parts.push({ where: '--engine / ZIPP_IMAGE_ENGINES', endpoints: { engines } });
  return mergeEndpoints(parts);
}

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { configFromFlags, parseEngineFlags, parseLlmFlag } from '../../server/bench/cli-config.ts';
import { parseBenchConfig, serializeConfig } from '../../server/bench/config.ts';
import { resolveLlms } from '../../server/bench/llms.ts';
import { createEnginePool, EngineConfig } from '../../server/engines/config.ts';

const tmp = mkdtempSync(join(tmpdir(), 'zipp-bench-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const engine = { kind: 'comfyui', urls: ['http://127.0.0.1:8188'] };

describe('bench config', () => {
  it('fills the paper defaults', () => {
    const c = parseBenchConfig({ dataset: { kind: 'movielens' }, engine });
    expect(c.methods.map((m) => m.id)).toEqual(['baseline', 'persona', 'fewshot:3', 'fewshot:5', 'fewshot-baseline:3', 'retrieval:3', 'static']);
    expect(c).toMatchObject({ protocol: 'paper', model: 'sdxl', seeds: 3, targets: ['wpp2024'], reference: { kind: 'auto', prompts: 2, seeds: 1, seed: 0 }, dataset: { queriesPerUser: 2 }, importance: ['attention'] });
    expect(c.reference.minImages).toBeUndefined();
    expect(c.engine).toMatchObject({ kind: 'comfyui', concurrency: 1, retries: 3 });
    expect(serializeConfig(c).methods).toEqual(c.methods.map((m) => m.id));
  });

  it.each([
    [{ dataset: { kind: 'movielens' }, engine, seed: 3 }, /^config: Unrecognized key: "seed"$/],
    [{ dataset: { kind: 'movielens' }, engine, methods: ['persona', 'persona'] }, /^config methods: method persona is listed twice$/],
    [{ dataset: { kind: 'movielens' }, engine, methods: [] }, /^config methods: name at least one method$/],
    [{ dataset: { kind: 'movielens' }, engine: { kind: 'comfyui', urls: ['not a url'] } }, /^config engine\.urls\.0: /],
    [{ dataset: { kind: 'movielens' }, engine, llms: [{ model: 'x', apiKeyEnv: 'not-a-var' }] }, /^config llms\.0\.apiKeyEnv: apiKeyEnv names an environment variable/],
    [{ dataset: { kind: 'movielens' }, engine, protocol: 'tailored' }, /^config protocol: protocol must be paper \(the paper's protocol\) or product \(what the extension ships\)$/],
    [{ dataset: { kind: 'movielens' }, engine, importance: ['attention', 'gat'] }, /^config importance\.1: importance must be among attention, tfidf, activity, uniform$/],
    [{ dataset: { kind: 'movielens' }, engine, reference: { minImages: 1 } }, /^config reference\.minImages: /],
  ])('names the field of the first problem (%#)', (raw, message) => {
    expect(() => parseBenchConfig(raw)).toThrow(message);
  });

  it('reads a config file with paths relative to it, and lets flags override it', async () => {
    const dir = join(tmp, 'runs');
    mkdirSync(join(dir, 'clip'), { recursive: true });
    writeFileSync(
      join(dir, 'run.json'),
      JSON.stringify({ dataset: { kind: 'pip', path: 'pip-data', users: 5 }, methods: ['baseline', 'persona'], clip: { model: './clip' }, targets: 'targets.json', engine, seeds: 2 }),
    );
    const fromFile = await configFromFlags({ config: join(dir, 'run.json') }, tmp);
    expect(fromFile.dataset).toEqual({ kind: 'pip', path: join(dir, 'pip-data'), users: 5, queriesPerUser: 2 });
    expect(fromFile.clip.model).toBe(join(dir, 'clip'));
    expect(fromFile.targets).toEqual([join(dir, 'targets.json')]);

    const overridden = await configFromFlags(
      { config: join(dir, 'run.json'), users: '7,9', queries: 1, methods: 'static', seeds: 1, steps: 8, size: 256, engine: ['a1111=http://127.0.0.1:7860', 'a1111=http://127.0.0.1:7861'], clip: 'Xenova/clip-vit-base-patch32' },
      tmp,
    );
    expect(overridden.dataset).toMatchObject({ users: ['7', '9'], queriesPerUser: 1, path: join(dir, 'pip-data') });
    expect(overridden.methods.map((m) => m.id)).toEqual(['static']);
    expect(overridden.generation).toEqual({ steps: 8, width: 256, height: 256 });
    expect(overridden.engine).toMatchObject({ kind: 'a1111', urls: ['http://127.0.0.1:7860', 'http://127.0.0.1:7861'] });
    // A hub id stays a hub id; only ./paths and existing folders are resolved.
    expect(overridden.clip.model).toBe('Xenova/clip-vit-base-patch32');
  });

  it('explains what is missing without a config file', async () => {
    await expect(configFromFlags({ engine: ['comfyui=http://127.0.0.1:8188'] })).rejects.toThrow(/^--dataset: required/);
    await expect(configFromFlags({ dataset: 'movielens' })).rejects.toThrow(/^--engine: required/);
    await expect(configFromFlags({ config: join(tmp, 'missing.json') })).rejects.toThrow(/^--config: cannot read/);
  });

  it('parses --engine and --llm', () => {
    expect(parseEngineFlags(['comfyui=http://a:8188', 'comfyui=http://b:8188'], 2)).toEqual({ kind: 'comfyui', urls: ['http://a:8188', 'http://b:8188'], concurrency: 2 });
    expect(() => parseEngineFlags(['comfyui=http://a:8188', 'a1111=http://b:7860'])).toThrow(/one run uses one engine kind; got comfyui and a1111/);
    expect(() => parseEngineFlags(['http://a:8188'])).toThrow(/should be KIND=URL/);
    expect(parseLlmFlag('gpt-4o-mini')).toEqual({ model: 'gpt-4o-mini' });
    expect(parseLlmFlag('llama3.1@http://127.0.0.1:11434/v1')).toEqual({ model: 'llama3.1', baseUrl: 'http://127.0.0.1:11434/v1' });
  });
});

describe('bench LLMs', () => {
  const env = { ZIPP_LLM_BASE_URL: 'http://127.0.0.1:9/v1', ZIPP_LLM_API_KEY: 'sk-env', ZIPP_LLM_TEMPERATURE: '0.3', OTHER_KEY: 'sk-other' };

  it('layer each entry on the environment; keys only from the environment', () => {
    const seen: Record<string, unknown>[] = [];
    const llms = resolveLlms([{ model: 'a' }, { name: 'b-hot', model: 'b', baseUrl: 'http://127.0.0.1:10/v1', apiKeyEnv: 'OTHER_KEY', temperature: 1 }], env, (s) => {
      seen.push(s);
      return { model: s.model } as never;
    });
    expect(llms.map((l) => [l.name, l.model, l.baseUrl, l.temperature])).toEqual([
      ['a', 'a', 'http://127.0.0.1:9/v1', 0.3],
      ['b-hot', 'b', 'http://127.0.0.1:10/v1', 1],
    ]);
    expect(seen.map((s) => s.apiKey)).toEqual(['sk-env', 'sk-other']);
  });

  it('refuse duplicate names and unset key variables', () => {
    expect(() => resolveLlms([{ model: 'a' }, { model: 'a' }], env)).toThrow(/llms\.1: the name a is used twice/);
    expect(() => resolveLlms([{ model: 'a', apiKeyEnv: 'NOPE' }], env)).toThrow(/llms\.0\.apiKeyEnv: the environment variable NOPE is not set/);
    expect(() => resolveLlms(undefined, {})).toThrow(/^no LLM configured/);
  });
});

describe('bench LLM keys', () => {
  const env = { ZIPP_LLM_BASE_URL: 'http://127.0.0.1:9/v1', ZIPP_LLM_API_KEY: 'sk-env', OTHER_KEY: 'sk-other' };
  const keys = (specs: Parameters<typeof resolveLlms>[0], e: Record<string, string> = env) => {
    const seen: (string | undefined)[] = [];
    resolveLlms(specs, e, (s) => (seen.push(s.apiKey), { model: s.model } as never));
    return seen;
  };

  it("send the environment's key only to the environment's endpoint, never to another baseUrl", () => {
    expect(keys([{ model: 'a', baseUrl: 'http://evil.example/v1' }])).toEqual([undefined]);
    expect(keys([{ model: 'a', baseUrl: 'http://127.0.0.1:9/v1/' }])).toEqual(['sk-env']);
    expect(keys([{ model: 'a', baseUrl: 'http://evil.example/v1', apiKeyEnv: 'OTHER_KEY' }])).toEqual(['sk-other']);
    // OpenAI's key (no base URL set) goes to OpenAI's URL only.
    expect(keys([{ model: 'a', baseUrl: 'https://api.openai.com/v1' }, { name: 'b', model: 'b', baseUrl: 'http://127.0.0.1:11434/v1' }], { OPENAI_API_KEY: 'sk-openai' })).toEqual(['sk-openai', undefined]);
  });
});

describe('engine keys', () => {
  it('come from a named environment variable, never from the config itself', () => {
    const r = EngineConfig.safeParse({ kind: 'openai', apiKey: 'sk-in-a-file' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['apiKey'] });
    expect(r.error!.issues[0]!.message).toMatch(/name it in apiKeyEnv/);
    expect(() => createEnginePool({ kind: 'openai', apiKeyEnv: 'IMAGES_KEY' }, { env: {} })).toThrow(/engine.apiKeyEnv: the environment variable IMAGES_KEY is not set/);
    expect(createEnginePool({ kind: 'openai', apiKeyEnv: 'IMAGES_KEY' }, { env: { IMAGES_KEY: 'sk-images' } })).toBeDefined();
  });
});

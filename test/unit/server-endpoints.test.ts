import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { endpointsFromServeOptions, parseEngineEntries } from '../../server/bench/endpoints.ts';
import { HttpBenchConfig, resolveHttpBenchConfig } from '../../server/bench/http-config.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'zipp-endpoints-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('operator endpoints', () => {
  it('name engines from flags and ZIPP_IMAGE_ENGINES; a repeated name adds URLs to one pool', () => {
    expect(parseEngineEntries(['comfyui=http://a:8188', 'gpu:comfyui=http://b:8188', 'gpu:comfyui=http://c:8188'], '--engine')).toEqual({
      comfyui: { kind: 'comfyui', urls: ['http://a:8188'] },
      gpu: { kind: 'comfyui', urls: ['http://b:8188', 'http://c:8188'] },
    });
    const e = endpointsFromServeOptions({ engine: ['gpu:a1111=http://x:7860'], llm: ['local=http://127.0.0.1:11434/v1'], env: { ZIPP_IMAGE_ENGINES: 'openai=https://api.openai.com/v1' } });
    expect(Object.keys(e.engines)).toEqual(['gpu', 'openai']);
    expect(e.llms).toEqual({ local: { baseUrl: 'http://127.0.0.1:11434/v1' } });
  });

  it('read keys only as variable names from an endpoints file, and refuse a name defined twice', () => {
    const file = path.join(tmp, 'endpoints.json');
    writeFileSync(file, JSON.stringify({ llms: { local: { baseUrl: 'http://127.0.0.1:11434/v1', apiKeyEnv: 'LOCAL_KEY' } }, engines: { dalle: { kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' } } }));
    const e = endpointsFromServeOptions({ file, env: {} });
    expect(e.llms.local).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', apiKeyEnv: 'LOCAL_KEY' });
    expect(e.engines.dalle).toMatchObject({ kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY', urls: ['https://api.openai.com/v1'] });
    expect(() => endpointsFromServeOptions({ file, llm: ['local=http://other/v1'], env: {} })).toThrow(/--llm: the LLM endpoint local is also defined by --endpoints/);
    writeFileSync(file, JSON.stringify({ llms: { local: { baseUrl: 'http://x/v1', apiKey: 'sk-literal' } } }));
    expect(() => endpointsFromServeOptions({ file, env: {} })).toThrow(new RegExp(`^--endpoints ${file}: llms.local: unknown field apiKey`));
    writeFileSync(file, JSON.stringify({ engines: { dalle: { kind: 'openai', apiKey: 'sk-literal' } } }));
    expect(() => endpointsFromServeOptions({ file, env: {} })).toThrow(/engines.dalle.apiKey: keys never go into engine configs/);
    expect(() => endpointsFromServeOptions({ env: { ZIPP_ENDPOINTS: path.join(tmp, 'none.json') } })).toThrow(/^ZIPP_ENDPOINTS .*none.json: cannot read it/);
  });
});

describe('a benchmark request picks endpoints by name', () => {
  const endpoints = endpointsFromServeOptions({ engine: ['gpu:comfyui=http://gpu:8188'], llm: ['local=http://127.0.0.1:11434/v1'], env: {} });
  endpoints.llms.local!.models = ['llama3.1', 'qwen2.5'];
  const defaultLlm = { configured: true, model: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:9/v1' };
  const body = (extra: Record<string, unknown>) => HttpBenchConfig.parse({ dataset: { kind: 'movielens' }, engine: 'gpu', ...extra });

  it('resolves to the operator URL and key variable, with the request settings that are its to choose', () => {
    const config = resolveHttpBenchConfig(body({ llms: [{ endpoint: 'local', model: 'qwen2.5', temperature: 1 }, {}], engine: { endpoint: 'gpu', concurrency: 2, files: { sdxl: { checkpoint: 'x.safetensors' } } } }), endpoints, defaultLlm);
    expect(config.llms).toEqual([{ model: 'qwen2.5', temperature: 1, baseUrl: 'http://127.0.0.1:11434/v1' }, { model: 'gpt-4o-mini' }]);
    expect(config.engine).toMatchObject({ kind: 'comfyui', urls: ['http://gpu:8188'], concurrency: 2 });
  });

  it('names the field for a model the endpoint does not allow and for a setting of another engine kind', () => {
    expect(() => resolveHttpBenchConfig(body({ llms: [{ endpoint: 'local', model: 'gpt-4o' }] }), endpoints, defaultLlm)).toThrow(/^llms.0.model: endpoint local serves only llama3.1, qwen2.5/);
    expect(() => resolveHttpBenchConfig(body({ engine: { endpoint: 'gpu', sampler: 'Euler' } }), endpoints, defaultLlm)).toThrow(/^engine.sampler: only a a1111 engine takes sampler; engine gpu is comfyui/);
    expect(() => resolveHttpBenchConfig(body({ llms: [{}] }), endpoints, { configured: false })).toThrow(/^llms.0.endpoint: no LLM endpoint default on this server; it has local/);
  });

  it('picks the CLIP model by name: default is the server\'s own, others come from the endpoints file', () => {
    const file = path.join(tmp, 'clip-endpoints.json');
    writeFileSync(file, JSON.stringify({ clip: { vitb: { model: 'Xenova/clip-vit-base-patch32' }, mine: { model: './models/clip' } } }));
    const withClip = endpointsFromServeOptions({ file, engine: ['gpu:comfyui=http://gpu:8188'], env: {} });
    // A folder is relative to the file, a hub id stays as given.
    expect(withClip.clip).toEqual({ vitb: { model: 'Xenova/clip-vit-base-patch32' }, mine: { model: path.join(tmp, 'models/clip') } });
    expect(resolveHttpBenchConfig(body({}), withClip, defaultLlm).clip).toEqual({ batchSize: 16, dtype: 'fp32' });
    expect(resolveHttpBenchConfig(body({ clip: { endpoint: 'vitb', batchSize: 4 } }), withClip, defaultLlm).clip).toEqual({ model: 'Xenova/clip-vit-base-patch32', batchSize: 4, dtype: 'fp32' });
    expect(() => resolveHttpBenchConfig(body({ clip: { endpoint: 'huge' } }), withClip, defaultLlm)).toThrow(/^clip.endpoint: no CLIP model huge on this server; it has default, vitb, mine/);
    expect(() => body({ clip: { model: 'Xenova/clip-vit-large-patch14' } })).toThrow(/over HTTP a CLIP model is one the server operator configured/);
    writeFileSync(file, JSON.stringify({ clip: { default: { model: 'x/y' } } }));
    expect(() => endpointsFromServeOptions({ file, env: {} })).toThrow(/clip.default: that name is the ZIPP_CLIP_MODEL model/);
  });
});

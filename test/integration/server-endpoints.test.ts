import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyClip } from '../../server/eval/tiny-clip.ts';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { spawnZipp, type ZippProcess } from '../helpers/server-process.ts';
import { waitUntil } from '../helpers/server-app.ts';

/**
 * Over HTTP, every LLM and image endpoint is one the operator configured (environment, `zipp serve`
 * flags, an endpoints file), picked by name: a request never supplies a URL that receives one of the
 * server's keys, and never names an environment variable. Tested on the real `zipp serve` process, with
 * a second OpenAI-compatible server standing in for an attacker's endpoint.
 */
const SERVER_KEY = 'sk-server-secret-0123456789';
const SECOND_KEY = 'sk-second-endpoint-987654321';

let llm: OpenAiTestServer;
let second: OpenAiTestServer;
let attacker: OpenAiTestServer;
let comfy: ComfyTestServer;
let dataDir: string;
let zipp: ZippProcess;

beforeAll(async () => {
  [llm, second, attacker, comfy] = await Promise.all([
    startOpenAiServer({ apiKey: SERVER_KEY }),
    startOpenAiServer({ apiKey: SECOND_KEY }),
    startOpenAiServer(),
    startComfyUiServer({ runningPolls: 0 }),
  ]);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-endpoints-'));
  await writeTinyClip(path.join(dataDir, 'clip'));
  mkdirSync(path.join(dataDir, 'datasets'));
  cpSync(new URL('../fixtures/bench/rapiddata-8.jsonl', import.meta.url), path.join(dataDir, 'datasets', 'rapid.jsonl'));
  const endpointsFile = path.join(dataDir, 'endpoints.json');
  // The tiny CLIP as an operator-named model, its folder relative to the file.
  writeFileSync(endpointsFile, JSON.stringify({ llms: { second: { baseUrl: second.url, apiKeyEnv: 'SECOND_LLM_KEY', model: 'second-model' } }, clip: { tiny: { model: './clip' } } }));
  zipp = await spawnZipp({
    dataDir,
    env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: SERVER_KEY, ZIPP_LLM_MODEL: 'zipp-test-model', ZIPP_LLM_MAX_RETRIES: '0', SECOND_LLM_KEY: SECOND_KEY },
    args: ['--endpoints', endpointsFile, '--engine', `gpu:comfyui=${comfy.url}`],
  });
}, 120_000);
afterAll(async () => {
  zipp?.child.kill('SIGTERM');
  await zipp?.exited;
  await Promise.all([llm?.close(), second?.close(), attacker?.close(), comfy?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const run = (extra: Record<string, unknown> = {}) => ({
  dataset: { kind: 'rapiddata', path: 'datasets/rapid.jsonl', queriesPerUser: 1, users: 2 },
  methods: ['baseline'],
  engine: 'gpu',
  seeds: 1,
  generation: { steps: 2, width: 64, height: 64 },
  clip: { endpoint: 'tiny' },
  reference: { kind: 'none' },
  ...extra,
});

const benchJobs = async () => (await zipp.json('GET', '/v1/jobs?kind=bench')).body.jobs as { id: string }[];

describe('POST /v1/bench never sends a server key to a URL the request chose', () => {
  it('refuses an LLM baseUrl: nothing is queued and the other server never hears from it', async () => {
    const before = (await benchJobs()).length;
    const res = await zipp.json('POST', '/v1/bench', run({ llms: [{ model: 'zipp-test-model', baseUrl: attacker.url }] }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', field: 'llms.0.baseUrl' });
    expect(res.body.error.message).toMatch(/endpoint/);
    expect((await benchJobs()).length).toBe(before);
    expect(attacker.requests).toHaveLength(0);
  });

  it('refuses apiKeyEnv, with the same answer whether the variable exists or not', async () => {
    const home = await zipp.json('POST', '/v1/bench', run({ llms: [{ model: 'm', apiKeyEnv: 'HOME' }] }));
    const missing = await zipp.json('POST', '/v1/bench', run({ llms: [{ model: 'm', apiKeyEnv: 'NO_SUCH_VARIABLE_ANYWHERE' }] }));
    expect(home.status).toBe(400);
    expect(home.body.error).toMatchObject({ field: 'llms.0.apiKeyEnv' });
    expect(missing.body).toEqual(home.body);
  });

  it('refuses engine URLs and keys in the body: engines are picked by name', async () => {
    const urls = await zipp.json('POST', '/v1/bench', run({ engine: { kind: 'openai', urls: [attacker.url] } }));
    expect(urls.status).toBe(400);
    expect(urls.body.error.field).toMatch(/^engine/);
    const key = await zipp.json('POST', '/v1/bench', run({ engine: { endpoint: 'gpu', apiKey: 'sk-mine' } }));
    expect(key.status).toBe(400);
    expect(key.body.error).toMatchObject({ field: 'engine.apiKey' });
    // A workflow is a program for the operator's ComfyUI (custom nodes can read files or run code).
    writeFileSync(path.join(dataDir, 'mine.json'), JSON.stringify({ '1': { class_type: 'SaveImage', inputs: {} } }));
    const workflow = await zipp.json('POST', '/v1/bench', run({ engine: { endpoint: 'gpu', workflows: { sdxl: 'mine.json' } } }));
    expect(workflow.status).toBe(400);
    expect(workflow.body.error).toMatchObject({ field: 'engine.workflows' });
    expect(workflow.body.error.message).toMatch(/a ComfyUI workflow is one the operator configured/);
    const unknown = await zipp.json('POST', '/v1/bench', run({ engine: 'elsewhere' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ field: 'engine' });
    expect(unknown.body.error.message).toContain('gpu');
    const unknownLlm = await zipp.json('POST', '/v1/bench', run({ llms: [{ endpoint: 'elsewhere' }] }));
    expect(unknownLlm.status).toBe(400);
    expect(unknownLlm.body.error).toMatchObject({ field: 'llms.0.endpoint' });
    expect(unknownLlm.body.error.message).toMatch(/default, second/);
    expect(attacker.requests).toHaveLength(0);
  });

  it('runs against the endpoints it names: each gets its own key and no other', async () => {
    llm.reset();
    second.reset();
    const started = await zipp.json('POST', '/v1/bench', run({ llms: [{ endpoint: 'second' }, { endpoint: 'default', name: 'local' }] }));
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const job = await waitUntil(async () => {
      const j = (await zipp.json('GET', `/v1/jobs/${started.body.id}`)).body;
      return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
    }, 60_000, 'the bench job');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result.cells.map((c: { llm: string }) => c.llm).sort()).toEqual(['local', 'second-model']);
    expect(second.chatBodies().length).toBeGreaterThan(0);
    expect(second.requests.every((r) => r.headers.authorization === `Bearer ${SECOND_KEY}`)).toBe(true);
    expect(llm.requests.every((r) => r.headers.authorization === `Bearer ${SERVER_KEY}`)).toBe(true);
    expect(comfy.count('prompt')).toBeGreaterThan(0);
    // Neither the stored job nor the served manifest holds a key or the name of the variable holding one.
    const text = JSON.stringify(job) + (await (await zipp.call('GET', `/v1/bench/${job.id}/manifest.json`)).text());
    expect(text).not.toContain(SECOND_KEY);
    expect(text).not.toContain(SERVER_KEY);
  });

  it('scores only with a CLIP model the operator named: a hub id or a folder in the body is refused', async () => {
    const before = (await benchJobs()).length;
    // A hub id would make the server download whatever model the request names; a folder path, load one.
    for (const model of ['Xenova/clip-vit-base-patch32', 'clip', 'node_modules/anything']) {
      const res = await zipp.json('POST', '/v1/bench', run({ clip: { model } }));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', field: 'clip.model' });
      expect(res.body.error.message).toMatch(/clip\.model: over HTTP a CLIP model is one the server operator configured: pick it with "clip": \{"endpoint": NAME\}/);
    }
    const unknown = await zipp.json('POST', '/v1/bench', run({ clip: { endpoint: 'huge' } }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ field: 'clip.endpoint' });
    expect(unknown.body.error.message).toBe('clip.endpoint: no CLIP model huge on this server; it has default, tiny (the operator adds them under "clip" in zipp serve --endpoints FILE)');
    expect((await benchJobs()).length).toBe(before);
  });

  it('lists the configured endpoints by name in /v1/config, never their keys', async () => {
    const { body } = await zipp.json('GET', '/v1/config');
    expect(body.llmEndpoints.map((e: { name: string }) => e.name)).toEqual(['default', 'second']);
    expect(body.llmEndpoints[1]).toMatchObject({ name: 'second', baseUrl: second.url, model: 'second-model', key: true });
    expect(body.imageEngines).toEqual([{ name: 'gpu', kind: 'comfyui', url: comfy.url }]);
    // CLIP models by name only: the folder the operator gave (./clip in the data dir) is not shown.
    expect(body.clipModels).toEqual(['default', 'tiny']);
    expect(JSON.stringify(body)).not.toContain(path.join(dataDir, 'clip'));
    expect(JSON.stringify(body)).not.toContain(SECOND_KEY);
    expect(JSON.stringify(body)).not.toContain('SECOND_LLM_KEY');
  });
});

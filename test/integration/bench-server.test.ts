import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyClip } from '../../server/eval/tiny-clip.ts';
import { solidPng } from '../helpers/png.ts';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { startTestZipp, waitUntil, type TestZipp } from '../helpers/server-app.ts';

/**
 * A benchmark run as a durable job of the real server: POST /v1/bench with paths inside the data
 * directory and the engine picked by the name the server gave it, progress through /v1/jobs, the report from GET /v1/bench/{id}/report.html; paths that leave
 * the data directory and unknown fields are refused before anything is queued.
 */
let llm: OpenAiTestServer;
let comfy: ComfyTestServer;
let zipp: TestZipp;

let clipDir: string;

beforeAll(async () => {
  [llm, comfy] = await Promise.all([startOpenAiServer(), startComfyUiServer({ runningPolls: 0 })]);
  // The operator's CLIP model (ZIPP_CLIP_MODEL): the one a request gets when it names none.
  clipDir = mkdtempSync(join(tmpdir(), 'zipp-bench-clip-'));
  await writeTinyClip(clipDir);
  zipp = await startTestZipp({
    env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model', ZIPP_CLIP_MODEL: clipDir },
    config: { endpoints: { engines: { comfy: { kind: 'comfyui', urls: [comfy.url] } } } },
  });
  mkdirSync(join(zipp.dataDir, 'datasets'));
  cpSync(new URL('../fixtures/bench/rapiddata-8.jsonl', import.meta.url), join(zipp.dataDir, 'datasets', 'rapid.jsonl'));
});
afterAll(async () => {
  await zipp?.close();
  await Promise.all([llm?.close(), comfy?.close()]);
  if (clipDir) rmSync(clipDir, { recursive: true, force: true });
});

const config = () => ({
  dataset: { kind: 'rapiddata', path: 'datasets/rapid.jsonl', queriesPerUser: 1, users: 3 },
  methods: ['baseline', 'persona'],
  engine: 'comfy',
  seeds: 1,
  generation: { steps: 4, width: 64, height: 64 },
  reference: { kind: 'none' },
});

describe('POST /v1/bench', () => {
  it('runs the benchmark as a job and serves its report', async () => {
    const started = await zipp.json('POST', '/v1/bench', config());
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ kind: 'bench', status: 'queued' });
    const job = await waitUntil(async () => {
      const j = await zipp.json('GET', `/v1/jobs/${started.body.id}`);
      return ['succeeded', 'failed'].includes(j.body.status) ? j.body : undefined;
    }, 30_000, 'the bench job to finish');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result.work.rewrites).toEqual({ made: 6, cached: 0 });
    expect(job.result.cells.map((c: { method: string }) => c.method)).toEqual(['baseline', 'persona']);
    expect(comfy.count('prompt')).toBe(job.result.work.images.generated);

    const html = await zipp.call('GET', `/v1/bench/${started.body.id}/report.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    // A self-contained document: no script may run in it, and it is never framed.
    expect(html.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(html.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(html.headers.get('x-frame-options')).toBe('DENY');
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await html.text()).toContain('Persona conditioning per LLM (Fig. 3)');
    const results = await zipp.json('GET', `/v1/bench/${started.body.id}/results.json`);
    expect(results.body.ipf.users).toBe(3);
  });

  it('refuses paths outside the data directory and unknown fields, before queueing', async () => {
    const outside = await zipp.json('POST', '/v1/bench', { ...config(), dataset: { kind: 'rapiddata', path: '../../etc/passwd' } });
    expect(outside.status).toBe(400);
    expect(outside.body.error).toMatchObject({ code: 'path_outside_data_dir', field: 'dataset.path' });
    // A symbolic link inside the data directory that leads out, with a cache folder that does not exist yet.
    const elsewhere = mkdtempSync(join(tmpdir(), 'zipp-outside-'));
    symlinkSync(elsewhere, join(zipp.dataDir, 'outlink'));
    const linked = await zipp.json('POST', '/v1/bench', { ...config(), engine: { endpoint: 'comfy', cacheDir: 'outlink/newdir' } });
    expect(linked.status).toBe(400);
    expect(linked.body.error).toMatchObject({ code: 'path_outside_data_dir', field: 'engine.cacheDir' });
    rmSync(elsewhere, { recursive: true, force: true });
    const unknown = await zipp.json('POST', '/v1/bench', { ...config(), steps: 4 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_field', field: 'steps' });
    const jobs = await zipp.json('GET', '/v1/jobs?kind=bench');
    expect(jobs.body.jobs).toHaveLength(1);
    expect((await zipp.call('GET', '/v1/bench/job_aaaaaaaaaaaaaaaaaaaa/report.html')).status).toBe(404);
  });

  it('reads no file a dataset file names outside the data directory (ZIP-Bench reference images)', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'zipp-outside-'));
    const secret = join(elsewhere, 'private.png');
    writeFileSync(secret, solidPng(8, 8, [1, 2, 3]));
    mkdirSync(join(zipp.dataDir, 'zb'), { recursive: true });
    const user = (id: string, images: string[]) => ({ user_id: id, persona: 'You love old maps.', history: ['a harbour at dawn', 'a lighthouse in fog', 'a quiet library'], reference_images: images });
    try {
      // Absolute, and relative to the dataset file but climbing out.
      for (const images of [[secret], [relative(join(zipp.dataDir, 'zb'), secret)]]) {
        writeFileSync(join(zipp.dataDir, 'zb', 'users.jsonl'), `${JSON.stringify(user('z1', images))}\n`);
        const started = await zipp.json('POST', '/v1/bench', { ...config(), dataset: { kind: 'zipbench', path: 'zb/users.jsonl', queriesPerUser: 1 }, methods: ['original'], reference: { kind: 'dataset' } });
        expect(started.status, JSON.stringify(started.body)).toBe(202);
        const job = await waitUntil(async () => {
          const j = await zipp.json('GET', `/v1/jobs/${started.body.id}`);
          return ['succeeded', 'failed'].includes(j.body.status) ? j.body : undefined;
        }, 30_000, 'the bench job to end');
        expect(job.status).toBe('failed');
        expect(job.error).toMatchObject({ code: 'path_outside_data_dir' });
        expect(job.error.message).toMatch(/^dataset\.path: user z1's reference image .*private\.png: the path leaves the data directory/);
      }
      // And one inside is read: the same file copied into the data directory.
      cpSync(secret, join(zipp.dataDir, 'zb', 'mine.png'));
      writeFileSync(join(zipp.dataDir, 'zb', 'users.jsonl'), `${JSON.stringify(user('z1', ['mine.png', 'mine.png']))}\n`);
      const ok = await zipp.json('POST', '/v1/bench', { ...config(), dataset: { kind: 'zipbench', path: 'zb/users.jsonl', queriesPerUser: 1 }, methods: ['original'], seeds: 2, reference: { kind: 'dataset' } });
      const done = await waitUntil(async () => {
        const j = await zipp.json('GET', `/v1/jobs/${ok.body.id}`);
        return ['succeeded', 'failed'].includes(j.body.status) ? j.body : undefined;
      }, 30_000, 'the bench job to end');
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

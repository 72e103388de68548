import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipScore } from '../../shared/metrics/clipscore.ts';
import { encodeAxis } from '../../shared/metrics/categories.ts';
import { ipfReport } from '../../shared/metrics/subgroups.ts';
import { NO_LLM_CONFIGURED } from '../../shared/llm/settings.ts';
import type { Manifest } from '../../server/bench/manifest.ts';
import type { BenchResults } from '../../server/bench/results.ts';
import { main } from '../../server/cli/main.ts';
import { StudyDb } from '../../server/study/db.ts';
import { emptyUsage } from '../../shared/schemas/llm.ts';
import { countryRegionResolver, wppTargets } from '../../server/datasets/population.ts';
import { ImageCache } from '../../server/engines/image-cache.ts';
import { ClipEmbedder } from '../../server/eval/clip.ts';
import { writeTinyClip } from '../../server/eval/tiny-clip.ts';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * `zipp bench` end to end over the vendored MovieLens data (two users, one held-out prompt each), with
 * the OpenAI-compatible test server as the LLM, the ComfyUI test server as the engine (real HTTP, real
 * PNGs) and the tiny CLIP model through the real transformers.js path; then a rerun that must not send a
 * single request, the report rebuilt offline, a run resumed after an engine failure, a RapidData run with
 * IPF to the WPP targets, and bad input.
 */
const fixtures = fileURLToPath(new URL('../fixtures/bench/', import.meta.url));
let llm: OpenAiTestServer;
let comfy: ComfyTestServer;
let tmp: string;
let clipDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [llm, comfy] = await Promise.all([startOpenAiServer(), startComfyUiServer({ runningPolls: 0 })]);
  tmp = mkdtempSync(join(tmpdir(), 'zipp-bench-'));
  clipDir = join(tmp, 'clip');
  await writeTinyClip(clipDir);
  env = { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' };
});
afterAll(async () => {
  await Promise.all([llm?.close(), comfy?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

async function zipp(argv: string[], environment: Record<string, string> = env) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`), env: environment });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as { work: Record<string, any>; results: BenchResults; files: Record<string, string> } };
}

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const common = () => ['--engine', `comfyui=${comfy.url}`, '--clip', clipDir, '--size', '64', '--steps', '4'];

describe('zipp bench over MovieLens', () => {
  let out: string;
  let first: { work: Record<string, any>; results: BenchResults };
  const argv = () => ['bench', '--dataset', 'movielens', '--users', '2', '--queries', '1', '--seeds', '2', ...common(), '--out', out, '--json'];

  it('runs dataset → personas → rewrites → images → CLIP → metrics → report', async () => {
    out = join(tmp, 'movielens');
    const r = await zipp(argv());
    expect(r.code, r.stderr).toBe(0);
    first = r.json();
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));

    // 2 personas from history + 2 users × 6 LLM methods; every request the LLM saw is accounted for.
    expect(first.work.personas).toEqual({ made: 2, cached: 0 });
    expect(first.work.rewrites).toEqual({ made: 12, cached: 0 });
    expect(first.results.usage['zipp-test-model']!.requests).toBe(llm.requests.length);
    // Every distinct image (7 methods × 2 users × 2 seeds, fewer where prompts coincide) plus 2 users × 2
    // history renders for the CMMD reference reached the engine exactly once.
    expect(manifest.samples).toHaveLength(28);
    expect(manifest.reference.kind).toBe('history');
    expect(manifest.reference.images).toHaveLength(4);
    expect(comfy.count('prompt')).toBe(new Set([...manifest.samples.map((s) => s.image), ...manifest.reference.images.map((r) => r.image)]).size);
    expect(first.work.images.generated).toBe(comfy.count('prompt'));

    // The persona methods role-play the persona made from the user's liked movies.
    const personaOf = manifest.personas['1']!;
    expect(personaOf.source).toBe('history');
    expect(personaOf.text).toMatch(/^You /);
    const personaRewrite = llm.chatBodies().find((b) => b.messages?.[0]?.role === 'system' && b.messages[0].content === personaOf.text);
    expect(personaRewrite).toBeDefined();
    // The static baseline renders the prompt plus the user's fixed feature list.
    const staticSample = manifest.samples.find((s) => s.method === 'static' && s.user === '1')!;
    expect(staticSample.prompt).toBe(`${staticSample.original}, ${manifest.features['1']!.join(', ')}`);
    expect(JSON.stringify(comfy.workflows())).toContain(JSON.stringify(staticSample.prompt).slice(1, -1));

    const ids = first.results.cells.map((c) => c.method);
    expect(ids).toEqual(['baseline', 'persona', 'fewshot:3', 'fewshot:5', 'fewshot-baseline:3', 'retrieval:3', 'static']);
    for (const c of first.results.cells) {
      expect(c.samples).toBe(4);
      expect(c.clipscore).toBeGreaterThanOrEqual(0);
      expect(c.clipscore).toBeLessThanOrEqual(100);
      expect(c.cmmd).toBeTypeOf('number');
    }
    expect(first.results.fig3.map((f) => f.setting)).toEqual(['0-shot', '3-shot']);
    expect(first.results.ipfSkipped).toMatch(/no demographics/);
    // 21 method pairs, each over the 4 shared (user, prompt, seed) samples.
    const pairs = first.results.winRates['zipp-test-model']!;
    expect(pairs).toHaveLength(21);
    for (const p of pairs) expect(p.n + p.ties).toBe(4);
  });

  it('scores each image against its own original prompt (recomputed from the cached PNGs)', async () => {
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    const samples = manifest.samples.filter((s) => s.method === 'retrieval:3');
    const cache = new ImageCache(join(out, 'images'));
    const clip = ClipEmbedder.create({ model: clipDir });
    const images = await clip.embedImages(await Promise.all(samples.map(async (s) => (await cache.get(s.image))!.path)));
    const texts = await clip.embedTexts(samples.map((s) => s.original));
    await clip.dispose();
    const per = clipScore(images, texts).perPair;
    const byUser = new Map<string, number[]>();
    samples.forEach((s, i) => byUser.set(s.user, [...(byUser.get(s.user) ?? []), per[i]!]));
    const userMeans = [...byUser.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const cell = first.results.cells.find((c) => c.method === 'retrieval:3')!;
    expect(cell.clipscore).toBeCloseTo(userMeans.reduce((a, b) => a + b, 0) / userMeans.length, 4);
  });

  it('does no new work when the same command runs again', async () => {
    const before = { llm: llm.requests.length, comfy: comfy.requests.length };
    const r = await zipp(argv());
    expect(r.code, r.stderr).toBe(0);
    expect(llm.requests.length).toBe(before.llm);
    expect(comfy.requests.length).toBe(before.comfy);
    const { work, results } = r.json();
    expect(work).toMatchObject({
      personas: { made: 0, cached: 2 },
      rewrites: { made: 0, cached: 12 },
      images: { generated: 0, cached: 0, embedded: 0 },
      texts: { embedded: 0 },
      metrics: { computed: 0 },
    });
    expect(results.cells.map((c) => c.clipscore)).toEqual(first.results.cells.map((c) => c.clipscore));
  });

  it('writes a Markdown report and a self-contained HTML page with SVG charts', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const heading of ['## CLIPScore and CMMD by method', '## Persona conditioning per LLM (Fig. 3)', '## Demographic reweighting (IPF, Tables 13–14)', '## Pairwise win rates', '## Usage and cost']) {
      expect(md).toContain(heading);
    }
    expect(md).toContain('| ZIPP (0-shot) |');
    expect(md).toContain('![CLIPScore without and with persona per LLM](charts/persona.svg)');
    for (const chart of ['clipscore', 'cmmd', 'persona', 'winrates-zipp-test-model']) {
      expect(readFileSync(join(out, 'charts', `${chart}.svg`), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(4);
    expect(html).toContain('with persona');
    expect(html).not.toMatch(/<script|<link|src="https?:|href="https?:/);
  });

  it('zipp bench report rebuilds the same report from the run directory alone', async () => {
    const before = readFileSync(join(out, 'report.md'), 'utf8');
    unlinkSync(join(out, 'report.md'));
    const r = await zipp(['bench', 'report', '--out', out], {});
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe(before);
  });

  it('zipp bench report --study appends the A/B study win rates from a server data directory', async () => {
    const dataDir = join(tmp, 'server-data');
    const db = new StudyDb(join(dataDir, 'study.db'));
    const trials = Array.from({ length: 10 }, (_, idx) => ({ idx, condition: 'persona-vs-none', aLabel: 'ZIPP (0-shot)', bLabel: 'LLM (0-shot, no persona)', prompt: 'p', left: 'a' as const, seed: 0 }));
    db.addParticipant({ id: 'p_1', study: 'pilot', answers: {}, persona: 'You …', personaModel: 'm', usage: emptyUsage(), createdAt: '2026-01-01T00:00:00Z' }, trials);
    for (const t of trials) {
      db.markShown('p_1', t.idx);
      db.choose('p_1', t.idx, t.idx === 0 ? 'right' : 'left', t.idx === 0 ? 'b' : 'a');
    }
    db.close();
    const r = await zipp(['bench', 'report', '--out', out, '--study', dataDir], {});
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## User study: pilot');
    // 9 of 10: exact two-sided binomial p = 22/1024.
    expect(md).toContain('| ZIPP (0-shot) | LLM (0-shot, no persona) | 10 | 9 | 1 | 0 | 90.0% | 0.0215 |');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('User study: pilot');
    const none = await zipp(['bench', 'report', '--out', out, '--study', join(tmp, 'no-such-data')], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^zipp: --study: no study results in /);
  });
});

describe('zipp bench with several LLMs (Fig. 3)', () => {
  it('rewrites with each LLM and compares persona on/off per LLM', async () => {
    const out = join(tmp, 'two-llms');
    const r = await zipp(['bench', '--dataset', 'movielens', '--users', '1', '--queries', '1', '--seeds', '1', '--methods', 'baseline,persona,static', '--reference', 'none', '--llm', 'model-a', '--llm', 'model-b', ...common(), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { results, work } = r.json();
    expect(work.rewrites.made).toBe(4);
    expect(results.fig3.map((f) => [f.llm, f.setting])).toEqual([
      ['model-a', '0-shot'],
      ['model-b', '0-shot'],
    ]);
    // The static baseline needs no LLM: one cell, compared under each LLM.
    expect(results.cells.map((c) => `${c.llm}|${c.method}`)).toEqual(['model-a|baseline', 'model-b|baseline', 'model-a|persona', 'model-b|persona', 'null|static']);
    expect(Object.keys(results.winRates)).toEqual(['model-a', 'model-b']);
    expect(results.winRates['model-b']!.map((w) => `${w.a}/${w.b}`)).toEqual(['baseline/persona', 'baseline/static', 'persona/static']);
    const models = new Set(llm.chatBodies().slice(-5).map((b) => b.model));
    expect(models).toEqual(new Set(['model-a', 'model-b']));
    const svg = readFileSync(join(out, 'charts', 'persona.svg'), 'utf8');
    expect(svg).toContain('model-a');
    expect(svg).toContain('model-b');
  });
});

describe('zipp bench resumes', () => {
  it('after an engine failure, without asking the LLM again', async () => {
    const out = join(tmp, 'resume');
    const argv = ['bench', '--dataset', 'movielens', '--users', '1', '--queries', '2', '--seeds', '1', '--methods', 'baseline,static', '--reference', 'none', ...common(), '--out', out, '--json'];
    comfy.enqueue({ route: 'prompt', kind: 'error', status: 400, body: { error: { type: 'invalid_prompt', message: 'scripted rejection' } } });
    const llmBefore = llm.requests.length;
    const failed = await zipp(argv);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n').at(-1)).toMatch(/^zipp: ComfyUI http:\/\/127\.0\.0\.1:\d+ rejected the workflow: .*scripted rejection/);
    const asked = llm.requests.length - llmBefore;
    expect(asked).toBe(2);

    const comfyBefore = comfy.count('prompt');
    const resumed = await zipp(argv);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(llm.requests.length - llmBefore).toBe(asked);
    const { work } = resumed.json();
    expect(work.rewrites).toEqual({ made: 0, cached: 2 });
    // Only the rejected image is made again; the others come from the image cache.
    expect(work.images.generated).toBe(1);
    expect(work.images.cached).toBe(3);
    expect(comfy.count('prompt') - comfyBefore).toBe(1);
  });
});

describe('zipp bench with demographics', () => {
  it('reweights RapidData users to the WPP 2024 targets and prices the LLM usage', async () => {
    const out = join(tmp, 'rapiddata');
    const config = join(tmp, 'rapid.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataset: { kind: 'rapiddata', path: join(fixtures, 'rapiddata-8.jsonl'), queriesPerUser: 1 },
        methods: ['baseline', 'persona', 'static'],
        llms: [{ name: 'priced', model: 'zipp-test-model', price: { input: 0.15, output: 0.6 } }],
        seeds: 1,
      }),
    );
    const r = await zipp(['bench', '--config', config, ...common(), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { results } = r.json();
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    // Demographic personas need no LLM: only the 8 baseline + 8 persona rewrites were requested.
    expect(Object.values(manifest.personas).every((p) => p.source === 'demographics')).toBe(true);
    expect(manifest.personas[Object.keys(manifest.personas)[0]!]!.text).toMatch(/^You are in the .* age range/);
    expect(results.usage.priced!.requests).toBe(16);
    const u = results.usage.priced!;
    expect(u.cost).toBeCloseTo((u.promptTokens * 0.15 + u.completionTokens * 0.6) / 1e6, 12);

    expect(results.ipf!.axes).toEqual(['region', 'gender']);
    expect(results.ipf!.users).toBe(8);
    // The same numbers as raking the per-user scores directly with the shared metrics.
    const users = Object.keys(manifest.demographics);
    const region = await countryRegionResolver('continent');
    const axes = [encodeAxis('region', users.map((id) => region(manifest.demographics[id]!.country!))), encodeAxis('gender', users.map((id) => manifest.demographics[id]!.gender!))];
    const cell = results.cells.find((c) => c.method === 'persona')!;
    const direct = ipfReport(users.map((id) => cell.perUser[id]!), axes, await wppTargets('continent'), { epsilon: 1e-4, maxIterations: 100, dropMissing: true });
    const reported = results.ipf!.reports.priced!.persona!;
    expect(reported.raw).toBeCloseTo(direct.raw, 10);
    expect(reported.ipf).toBeCloseTo(direct.ipf, 10);
    expect(reported.converged).toBe(true);
    expect(reported.dropped.targetCategories.region).toHaveProperty('Africa');
    expect(reported.raw).toBeCloseTo(cell.clipscore, 10);

    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('*Per-subgroup CLIPScore ×100*');
    expect(md).toMatch(/\| region: Europe \| 25\.0% \| \d+\.\d% \|/);
    expect(md).toContain('| priced | 16 |');
  });
});

describe('zipp bench bad input', () => {
  it.each([
    [['--dataset', 'movielens', '--methods', 'baseline,fewshot:9'], /^zipp: bench methods\.1: method 'fewshot:9': k must be a whole number from 1 to 5\n$/],
    [['--dataset', 'imdb'], /^zipp: bench dataset\.kind: dataset\.kind must be one of movielens, pip, zipbench, rapiddata\n$/],
    [['--dataset', 'movielens', '--users', '1,99999'], /^zipp: dataset\.users: no usable user 99999 in movielens/],
  ])('%j exits 2 with one line', async (flags, message) => {
    const r = await zipp(['bench', ...flags, ...common(), '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('needs an engine and, for LLM methods, an LLM', async () => {
    const noEngine = await zipp(['bench', '--dataset', 'movielens', '--out', join(tmp, 'bad')]);
    expect(noEngine.code).toBe(2);
    expect(noEngine.stderr).toMatch(/^zipp: --engine: required, e\.g\. --engine comfyui=/);
    const noLlm = await zipp(['bench', '--dataset', 'movielens', '--users', '1', ...common(), '--out', join(tmp, 'bad')], {});
    expect(noLlm.code).toBe(2);
    expect(noLlm.stderr).toBe(`zipp: ${NO_LLM_CONFIGURED}\n`);
    const report = await zipp(['bench', 'report', '--out', join(tmp, 'nothing-here')], {});
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/manifest\.json not found: run the benchmark first/);
    expect(existsSync(join(tmp, 'nothing-here'))).toBe(false);
  });
});

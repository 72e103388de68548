import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipScore } from '../../shared/metrics/clipscore.ts';
import { encodeAxis } from '../../shared/metrics/categories.ts';
import { ipfReport } from '../../shared/metrics/subgroups.ts';
import { NO_LLM_CONFIGURED } from '../../shared/llm/settings.ts';
import { recentExamples, retrieveExamples, usableHistory } from '../../shared/rewrite/examples.ts';
import { PAPER_TEMPLATES } from '../../shared/rewrite/paper-templates.ts';
import { SHORTEN_QUERY } from '../../server/bench/shorten.ts';
import { extractSubjects, missingSubjects } from '../../shared/rewrite/subjects.ts';
import { guardNote, TEMPLATES } from '../../shared/rewrite/templates.ts';
import { loadMovieLens } from '../../server/datasets/movielens.ts';
import { textKey } from '../../server/bench/embeddings.ts';
import type { Manifest } from '../../server/bench/manifest.ts';
import type { BenchResults } from '../../server/bench/results.ts';
import { StudyDb } from '../../server/study/db.ts';
import { emptyUsage } from '../../shared/schemas/llm.ts';
import { countryRegionResolver, wppTargets } from '../../server/datasets/population.ts';
import { ImageCache } from '../../server/engines/image-cache.ts';
import { ClipEmbedder } from '../../server/eval/clip.ts';
import { startBenchHarness, type BenchHarness } from '../helpers/bench-harness.ts';
import type { ComfyTestServer } from '../helpers/comfyui-server.ts';
import type { OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * `zipp bench` end to end over the vendored MovieLens data (two users, one held-out prompt each), with
 * the OpenAI-compatible test server as the LLM, the ComfyUI test server as the engine (real HTTP, real
 * PNGs) and the tiny CLIP model through the real transformers.js path; then a rerun that must not send a
 * single request, the report rebuilt offline, a run resumed after an engine failure, a RapidData run with
 * IPF to the WPP targets, and bad input.
 */
const fixtures = fileURLToPath(new URL('../fixtures/bench/', import.meta.url));
let h: BenchHarness;
let llm: OpenAiTestServer;
let comfy: ComfyTestServer;
let tmp: string;
let clipDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startBenchHarness('zipp-bench-');
  ({ llm, comfy, tmp, clipDir, env } = h);
});
afterAll(() => h?.close());

const zipp = (argv: string[], environment?: Record<string, string>) => h.zipp(argv, environment);
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const common = () => h.common();

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
    expect(first.results.ipfSkipped).toMatch(/no user has demographics/);
    // 21 method pairs, each over the 2 (user, prompt) trials: the 2 seeds of a prompt are averaged first.
    const pairs = first.results.winRates['zipp-test-model']!;
    expect(pairs).toHaveLength(21);
    for (const p of pairs) expect([p.trials, p.n + p.ties]).toEqual([2, 2]);
    expect(first.results.protocol).toBe('paper');
  });

  it('makes exactly the paper protocol\'s requests: its templates, T = 0.7, one request per rewrite', async () => {
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    const bodies = llm.chatBodies().slice(-14);
    // 2 personas + 12 rewrites, one request each (no guard retry, no echo nudge).
    expect(bodies).toHaveLength(14);
    for (const b of bodies) expect(b.temperature).toBe(0.7);
    const rewrites = bodies.filter((b) => (b.messages!.at(-1)!.content as string).includes('Basic prompt: '));
    expect(rewrites).toHaveLength(12);
    const ml = await loadMovieLens(undefined, { queriesPerUser: 1 });
    for (const user of ['1', '2']) {
      const prompt = manifest.samples.find((x) => x.user === user)!.input;
      const persona = manifest.personas[user]!.text;
      // The methods see the history minus the reference prompts the split drew out of it.
      const reference = new Set(manifest.reference.split!.users[user]!.reference);
      const context = usableHistory(ml.users.find((u) => u.id === user)!.history.filter((h) => !reference.has(h)), prompt);
      expect(context).toHaveLength(manifest.reference.split!.users[user]!.context);
      const expected = [
        PAPER_TEMPLATES.baseline.build({ prompt }),
        PAPER_TEMPLATES.persona.build({ prompt, persona }),
        PAPER_TEMPLATES.fewshot.build({ prompt, persona, examples: recentExamples(context, 3) }),
        PAPER_TEMPLATES.fewshot.build({ prompt, persona, examples: recentExamples(context, 5) }),
        PAPER_TEMPLATES['fewshot-baseline'].build({ prompt, examples: recentExamples(context, 3) }),
        PAPER_TEMPLATES.retrieval.build({ prompt, examples: (await retrieveExamples(prompt, context, 3)).examples }),
      ];
      for (const messages of expected) expect(rewrites.filter((b) => JSON.stringify(b.messages) === JSON.stringify(messages))).toHaveLength(1);
    }
    // Only the zero-shot rewrite without persona and Tailored Visions ask for fewer than 70 words.
    const limited = rewrites.filter((b) => /fewer than 70 words/.test(b.messages!.at(-1)!.content as string));
    expect(limited).toHaveLength(4);
  });

  it('never shows a user\'s CMMD reference prompts to any method or to the persona writer', () => {
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    const split = manifest.reference.split!;
    expect(split.seed).toBe(0);
    const everything = JSON.stringify(llm.chatBodies());
    for (const [user, { reference, context }] of Object.entries(split.users)) {
      expect(reference.length).toBe(2);
      expect(context).toBeGreaterThan(0);
      for (const prompt of reference) {
        expect(everything).not.toContain(JSON.stringify(prompt).slice(1, -1));
        // Its renders are exactly the user's reference images.
      }
      expect(manifest.reference.images.filter((r) => r.user === user)).toHaveLength(reference.length);
    }
    // And the rendered reference prompts are those prompts (as ComfyUI received them).
    const workflows = JSON.stringify(comfy.workflows());
    for (const { reference } of Object.values(split.users)) for (const p of reference) expect(workflows).toContain(JSON.stringify(p).slice(1, -1));
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
    // Hessel et al.'s scale, from the same vectors written out: 100 · 2.5 · max(cos, 0), same averaging.
    const hessel = samples.map((_, i) => {
      const [a, b] = [images.data.subarray(i * images.dim, (i + 1) * images.dim), texts.data.subarray(i * texts.dim, (i + 1) * texts.dim)];
      const cos = a.reduce((s, x, k) => s + x * b[k]!, 0) / Math.hypot(...a) / Math.hypot(...b);
      return 250 * Math.max(cos, 0);
    });
    const hesselByUser = new Map<string, number[]>();
    samples.forEach((s, i) => hesselByUser.set(s.user, [...(hesselByUser.get(s.user) ?? []), hessel[i]!]));
    const hesselMeans = [...hesselByUser.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    expect(cell.clipscore_hessel).toBeCloseTo(hesselMeans.reduce((a, b) => a + b, 0) / hesselMeans.length, 4);
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

describe('zipp bench protocols', () => {
  it('product makes the shipped pipeline\'s requests (guard retry, 70-word instruction everywhere), paper does not retry', async () => {
    const run = async (protocol: string) => {
      const out = join(tmp, `protocol-${protocol}`);
      llm.reset();
      // The first rewrite drops every subject of the prompt.
      llm.enqueue({ kind: 'answer', text: 'You are someone who loves old films.' }, { kind: 'drop-subject' });
      const r = await zipp(['bench', '--protocol', protocol, '--dataset', 'movielens', '--users', '1', '--queries', '1', '--seeds', '1', '--methods', 'persona', '--reference', 'none', ...common(), '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return { bodies: llm.chatBodies(), manifest: readJson<Manifest>(join(out, 'manifest.json')) };
    };
    const product = await run('product');
    const prompt = product.manifest.samples[0]!.input;
    const persona = product.manifest.personas['1']!.text;
    expect(product.manifest.protocol).toBe('product');
    // persona, the rewrite, and the guard's retry naming the missing subjects at temperature 0.5.
    expect(product.bodies).toHaveLength(3);
    expect(product.bodies[1]!.messages).toEqual(TEMPLATES.persona.build({ prompt, persona }));
    expect(product.bodies[1]!.messages!.at(-1)!.content).toContain('fewer than 70 words');
    expect(product.bodies[2]!.messages).toEqual(TEMPLATES.persona.build({ prompt, persona, note: guardNote(missingSubjects(extractSubjects(prompt), '')) }));
    expect(product.bodies[2]!.temperature).toBe(0.5);
    expect(product.manifest.guard['zipp-test-model|persona']).toEqual({ passed: 0, retried: 1, failed: 0 });

    const paper = await run('paper');
    expect(paper.bodies).toHaveLength(2);
    expect(paper.bodies[1]!.messages).toEqual(PAPER_TEMPLATES.persona.build({ prompt, persona: paper.manifest.personas['1']!.text }));
    expect(paper.bodies[1]!.messages!.at(-1)!.content).not.toContain('70 words');
    expect(paper.manifest.guard['zipp-test-model|persona']).toEqual({ passed: 0, retried: 0, failed: 1 });
    const md = readFileSync(join(tmp, 'protocol-paper', 'report.md'), 'utf8');
    expect(md.split('\n')[2]).toMatch(/^Protocol \*\*paper\*\* \(the paper's: /);
  });

  it('PIP as Tailored Visions: methods rewrite the query shortened to under 10 words, CLIPScore uses the full prompt', async () => {
    const dir = join(tmp, 'pip');
    mkdirSync(dir, { recursive: true });
    const long = 'an old stone bridge over a misty river at sunrise with swans gliding, oil painting, golden light';
    writeFileSync(
      join(dir, 'u7.jsonl'),
      [
        { prompt: 'a harbour at dawn, boats', user_id: 'u7', NSFW: false, result_url: 'https://example.org/1.png' },
        { prompt: 'a lantern festival at night', user_id: 'u7', NSFW: false, result_url: 'https://example.org/2.png' },
        { prompt: long, user_id: 'u7', NSFW: false, result_url: 'https://example.org/3.png', split: 'test' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const out = join(tmp, 'pip-run');
    const r = await zipp(['bench', '--dataset', 'pip', '--data', dir, '--queries', '1', '--seeds', '1', '--methods', 'baseline,original', '--reference', 'none', ...common(), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    for (const s of manifest.samples) expect([s.original, s.input]).toEqual([long, 'an old stone bridge over a misty river']);
    expect(manifest.samples.find((s) => s.method === 'original')!.prompt).toBe('an old stone bridge over a misty river');
    expect(llm.chatBodies().at(-1)!.messages!.at(-1)!.content).toContain('Basic prompt: an old stone bridge over a misty river\n');
    expect(new Set(manifest.samples.map((s) => s.text))).toEqual(new Set([textKey(long)]));
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('shortened to under 10 words');
  });

  it('PIP with dataset.shorten llm: an LLM writes the short query (Tailored Visions\' way), a record\'s own query is kept, a rerun asks nothing', async () => {
    const dir = join(tmp, 'pip-llm');
    mkdirSync(dir, { recursive: true });
    const long = 'an old stone bridge over a misty river at sunrise with swans gliding, oil painting, golden light';
    const owned = 'a lighthouse on a cliff in a winter storm, crashing waves, dramatic clouds, long exposure photograph';
    const history = [
      { prompt: 'a harbour at dawn, boats', NSFW: false, result_url: 'https://example.org/1.png' },
      { prompt: 'a lantern festival at night', NSFW: false, result_url: 'https://example.org/2.png' },
    ];
    writeFileSync(join(dir, 'u7.jsonl'), [...history, { prompt: long, NSFW: false, result_url: 'https://example.org/3.png', split: 'test' }].map((r) => JSON.stringify({ user_id: 'u7', ...r })).join('\n'));
    writeFileSync(join(dir, 'u8.jsonl'), [...history, { prompt: owned, query: 'lighthouse in a storm', NSFW: false, result_url: 'https://example.org/4.png', split: 'test' }].map((r) => JSON.stringify({ user_id: 'u8', ...r })).join('\n'));
    const out = join(tmp, 'pip-llm-run');
    const argv = ['bench', '--dataset', 'pip', '--data', dir, '--shorten', 'llm', '--queries', '1', '--seeds', '1', '--methods', 'baseline,original', '--reference', 'none', ...common(), '--out', out, '--json'];
    llm.reset();
    // Wrapped, and one word too many: cleaned, then cut to 9 words (a dangling "with" trimmed).
    llm.enqueue({ kind: 'answer', text: 'Here is the short query: "stone bridge over a misty river at sunrise with swans"' });
    const r = await zipp(argv);
    expect(r.code, r.stderr).toBe(0);
    const bodies = llm.chatBodies();
    // One shortening request (u8 has its own query), then one rewrite per user.
    expect(bodies).toHaveLength(3);
    expect(bodies[0]!.messages).toEqual([{ role: 'user', content: SHORTEN_QUERY.user(long) }]);
    expect(bodies[0]!.temperature).toBe(0.7);
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    const input = (user: string) => manifest.samples.find((s) => s.user === user)!.input;
    expect(input('u7')).toBe('stone bridge over a misty river at sunrise');
    expect(input('u8')).toBe('lighthouse in a storm');
    for (const s of manifest.samples) expect(s.original).toBe(s.user === 'u7' ? long : owned);
    expect(bodies.some((b) => (b.messages!.at(-1)!.content as string).includes('Basic prompt: stone bridge over a misty river at sunrise\n'))).toBe(true);
    expect(manifest.dataset.shortening).toEqual({ method: 'llm', template: SHORTEN_QUERY.ref, llm: 'zipp-test-model', queries: 1, cut: 1, fallback: 0 });
    expect(manifest.dataset.note).toMatch(/an LLM's short query/);
    expect(r.json().results.usage['zipp-test-model']!.requests).toBe(3);

    const before = llm.requests.length;
    const again = await zipp(argv);
    expect(again.code, again.stderr).toBe(0);
    expect(llm.requests.length).toBe(before);
    expect(readJson<Manifest>(join(out, 'manifest.json')).samples.find((s) => s.user === 'u7')!.input).toBe('stone bridge over a misty river at sunrise');

    const other = await zipp(['bench', '--dataset', 'movielens', '--users', '1', '--shorten', 'llm', ...common(), '--out', join(tmp, 'bad')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^zipp: dataset\.shorten: only the pip dataset shortens its queries .*leave shorten out\n$/);
    const bad = await zipp(['bench', '--dataset', 'pip', '--data', dir, '--shorten', 'gpt', ...common(), '--out', join(tmp, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('zipp: bench dataset.shorten: dataset.shorten must be rule (first clause, 9 words) or llm (an LLM shortens each query)\n');
  });

  it('refuses importance sources where no persona is mined', async () => {
    const r = await zipp(['bench', '--dataset', 'movielens', '--users', '1', '--importance', 'tfidf', ...common(), '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("zipp: importance: only personas mined from community lists use it (dataset kind communities); the movielens dataset's personas come from history: leave importance out\n");
  });

  it('refuses a temperature other than 0.7 in the paper protocol', async () => {
    const r = await zipp(['bench', '--dataset', 'movielens', '--users', '1', '--methods', 'baseline', ...common(), '--out', join(tmp, 'bad')], { ...env, ZIPP_LLM_TEMPERATURE: '0.3' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zipp: protocol paper: LLM zipp-test-model samples at temperature 0\.3, the paper at 0\.7 for every LLM; .*or use protocol product\n$/);
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

/** A config file for the 8 RapidData profiles of the fixture, one held-out prompt each. */
function rapidConfig(name: string, fields: Record<string, unknown>): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ dataset: { kind: 'rapiddata', path: join(fixtures, 'rapiddata-8.jsonl'), queriesPerUser: 1 }, ...fields }));
  return file;
}

describe('zipp bench with demographics', () => {
  it('reweights RapidData users to the WPP 2024 targets and prices the LLM usage', async () => {
    const out = join(tmp, 'rapiddata');
    const config = rapidConfig('rapid', { methods: ['baseline', 'persona', 'static'], llms: [{ name: 'priced', model: 'zipp-test-model', price: { input: 0.15, output: 0.6 } }], seeds: 1 });
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
    // The axes WPP has no targets for are tabulated, not dropped.
    expect(results.ipf!.tabulated).toEqual(['age', 'language', 'profession']);
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
    expect(md).toContain('*Per-subgroup CLIPScore ×100, raw scale (Table 13)*');
    expect(md).toMatch(/\| region: Europe \| 25\.0% \| \d+\.\d% \|/);
    expect(md).toMatch(/\| age: 25-34 \| 25\.0% \| not raked \|/);
    expect(md).toContain('| priced | 16 |');
  });

  it('rakes all five axes (age, gender, country → region, language, profession) to converged weights equal to a direct Algorithm 1 loop', async () => {
    const users = readFileSync(join(fixtures, 'rapiddata-8.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { votes: Record<string, string>[] })[0]!.votes;
    const region = await countryRegionResolver('continent');
    // Targets that some positive weighting of these 8 users satisfies exactly (user i weighs i + 1), so
    // raking has a solution: each axis' target share is that weighting's share of the category.
    const labels = users.map((v) => ({ age: v.age!, gender: v.gender!, region: region(v.country!), language: v.language!, profession: v.profession! }));
    const w0 = labels.map((_, i) => (i + 1) / 36);
    const targets: Record<string, Record<string, number>> = {};
    for (const axis of ['age', 'gender', 'region', 'language', 'profession'] as const) {
      targets[axis] = {};
      labels.forEach((l, i) => (targets[axis]![l[axis]] = (targets[axis]![l[axis]] ?? 0) + w0[i]!));
    }
    const file = join(tmp, 'five-axes.json');
    writeFileSync(file, JSON.stringify(targets));
    const out = join(tmp, 'rapiddata-5');
    const config = rapidConfig('rapid5', { methods: ['baseline', 'persona'], seeds: 1, targets: ['wpp2024', file], ipf: { axes: ['age', 'gender', 'region', 'language', 'profession'] } });
    const r = await zipp(['bench', '--config', config, ...common(), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { results } = r.json();
    const manifest = readJson<Manifest>(join(out, 'manifest.json'));
    expect(results.ipf!.axes).toEqual(['age', 'gender', 'region', 'language', 'profession']);
    const ids = [...new Set(manifest.samples.map((s) => s.user))];

    /** The paper's Algorithm 1, line by line: equal weights; per axis, per category, w ← w · (p* ÷ p̂); renormalise; until max |p̂ − p*| < ε. */
    const algorithm1 = (scores: number[], epsilon = 1e-4) => {
      const lab = ids.map((id) => {
        const d = manifest.demographics[id]!;
        return { age: d.age!, gender: d.gender!, region: region(d.country!), language: d.language!, profession: d.profession! } as Record<string, string>;
      });
      let w = ids.map(() => 1 / ids.length);
      let iterations = 0;
      const gap = () => Math.max(...Object.entries(targets).flatMap(([k, cats]) => Object.entries(cats).map(([c, t]) => Math.abs(lab.reduce((s, l, i) => s + (l[k] === c ? w[i]! : 0), 0) - t))));
      do {
        iterations++;
        for (const [k, cats] of Object.entries(targets)) {
          for (const [c, t] of Object.entries(cats)) {
            const current = lab.reduce((s, l, i) => s + (l[k] === c ? w[i]! : 0), 0);
            w = w.map((wi, i) => (lab[i]![k] === c ? (wi * t) / current : wi));
          }
          const total = w.reduce((a, b) => a + b, 0);
          w = w.map((wi) => wi / total);
        }
      } while (gap() >= epsilon && iterations < 100);
      return { ipf: w.reduce((s, wi, i) => s + wi * scores[i]!, 0), iterations, converged: gap() < epsilon };
    };
    for (const method of ['baseline', 'persona']) {
      const cell = results.cells.find((c) => c.method === method)!;
      const reported = results.ipf!.reports['zipp-test-model']![method]!;
      const direct = algorithm1(ids.map((id) => cell.perUser[id]!));
      expect(direct.converged).toBe(true);
      expect(reported.converged).toBe(true);
      expect(reported.iterations).toBe(direct.iterations);
      expect(reported.ipf).toBeCloseTo(direct.ipf, 9);
      expect(reported.raw).toBeCloseTo(cell.clipscore, 10);
      expect(Object.keys(reported.subgroups)).toEqual(['age', 'gender', 'region', 'language', 'profession']);
      expect(reported.n_raked).toBe(8);
    }
  });
});

describe('zipp bench bad input', () => {
  it.each([
    [['--dataset', 'movielens', '--methods', 'baseline,fewshot:9'], /^zipp: bench methods\.1: method 'fewshot:9': k must be a whole number from 1 to 5\n$/],
    [['--dataset', 'imdb'], /^zipp: bench dataset\.kind: dataset\.kind must be one of movielens, pip, zipbench, rapiddata, communities\n$/],
    [['--dataset', 'movielens', '--protocol', 'tv'], /^zipp: bench protocol: protocol must be paper \(the paper's protocol\) or product \(what the extension ships\)\n$/],
    [['--dataset', 'movielens', '--users', '1,99999'], /^zipp: dataset\.users: no usable user 99999 in movielens/],
  ])('%j exits 2 with one line', async (flags, message) => {
    const r = await zipp(['bench', ...flags, ...common(), '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('IPF targets missing an axis asked for: exit 2 before any request, naming ipf.axes and the fix', async () => {
    const config = rapidConfig('rapid-age', { methods: ['baseline'], ipf: { axes: ['region', 'age'] } });
    const before = llm.requests.length;
    const r = await zipp(['bench', '--config', config, ...common(), '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zipp: ipf\.axes: the targets \(wpp2024\) cover region, gender, not 'age'; add a targets file with \{"age": \{"<category>": share, \.\.\.\}\} to targets .*, or leave age out of ipf\.axes\n$/);
    expect(llm.requests.length).toBe(before);
  });

  it('a per-user CMMD minimum no user reaches: exit 2 before any image, with what users have', async () => {
    const before = comfy.count('prompt');
    const r = await zipp(['bench', '--dataset', 'movielens', '--users', '1', '--queries', '1', '--seeds', '2', '--methods', 'original', '--min-images', '5', ...common(), '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('zipp: reference.minImages: 5 is more than any user has on both sides (at most 2 generated and 2 reference images per user, 2 on both); lower it to 2, or raise seeds, dataset.queriesPerUser or reference.prompts/seeds\n');
    expect(comfy.count('prompt')).toBe(before);
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

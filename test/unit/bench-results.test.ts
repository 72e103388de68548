import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cmmd } from '../../shared/metrics/cmmd.ts';
import { fromRows } from '../../shared/metrics/embeddings.ts';
import { emptyUsage } from '../../shared/schemas/llm.ts';
import type { Manifest, Sample } from '../../server/bench/manifest.ts';
import { renderHtml, renderMarkdown } from '../../server/bench/report/document.ts';
import { benchDocument } from '../../server/bench/report/sections.ts';
import { computeResults } from '../../server/bench/results.ts';
import { BenchStore } from '../../server/bench/store.ts';
import { StudyDb } from '../../server/study/db.ts';
import { studyDocument } from '../../server/study/report.ts';
import { studyResults } from '../../server/study/results.ts';

const tmp = mkdtempSync(join(tmpdir(), 'zipp-bench-results-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Two users, one prompt, one seed; the original prompt's text embedding is [1, 0] for both. Image
 * embeddings are chosen so every CLIPScore is known by hand: 100·cos(image, [1, 0]).
 */
const spaces = { model: 'hand-made', image: 'img', text: 'txt' };
const images: Record<string, number[]> = {
  'base-u1': [0, 1], // cos 0 → 0
  'base-u2': [1, 1], // cos 1/√2 → 70.71
  'pers-u1': [1, 1], // 70.71
  'pers-u2': [1, 0], // 100
  'ref-u1': [1, 2],
  'ref-u2': [2, 1],
};
const sample = (method: string, user: string, image: string): Sample => ({ llm: 'm', method, user, query: 0, seed: 0, original: 'a dog', input: 'a dog', prompt: `${method} ${user}`, image, text: 't' });

function manifest(demographics: Manifest['demographics'] = {}): Manifest {
  return {
    version: 2,
    createdAt: '2026-01-01T00:00:00.000Z',
    protocol: 'paper',
    config: { targets: ['wpp2024'] },
    dataset: { name: 'hand', source: 'test', users: 2, totalUsers: 2, queriesPerUser: 1 },
    engine: { kind: 'comfyui', model: 'sdxl', seeds: 1 },
    clip: spaces,
    llms: [{ name: 'm', model: 'm', baseUrl: 'http://127.0.0.1:9/v1', price: { input: 1, output: 2 } }],
    methods: [
      { id: 'baseline', label: 'LLM (0-shot, no persona)', llm: true },
      { id: 'persona', label: 'ZIPP (0-shot) <b>|</b>', llm: true },
    ],
    samples: [sample('baseline', 'u1', 'base-u1'), sample('baseline', 'u2', 'base-u2'), sample('persona', 'u1', 'pers-u1'), sample('persona', 'u2', 'pers-u2')],
    reference: { kind: 'history', images: [{ user: 'u1', image: 'ref-u1' }, { user: 'u2', image: 'ref-u2' }], minImages: 2 },
    demographics,
    personas: { u1: { user: 'u1', source: 'history', text: 'You like dogs.', warnings: [] } },
    features: {},
    usage: { m: { promptTokens: 1000, completionTokens: 500, totalTokens: 1500, requests: 5 } },
    guard: { 'm|baseline': { passed: 2, retried: 0, failed: 0 } },
    images: { unique: 4, references: 2 },
  };
}

function store(name: string): BenchStore {
  const s = new BenchStore(join(tmp, name, 'bench.db'));
  for (const [key, v] of Object.entries(images)) s.putEmbeddings('img', [key], fromRows([v]));
  s.putEmbeddings('txt', ['t'], fromRows([[1, 0]]));
  return s;
}

describe('bench results', () => {
  it('CLIPScore per user and method, Fig. 3 delta, win rates, CMMD and cost, computed by hand', async () => {
    const s = store('hand');
    const r = await computeResults(manifest(), s);
    const [base, pers] = r.cells;
    expect(base!.perUser).toEqual({ u1: 0, u2: expect.closeTo(100 / Math.SQRT2, 10) });
    expect(base!.clipscore).toBeCloseTo(100 / Math.SQRT2 / 2, 10);
    expect(pers!.clipscore).toBeCloseTo((100 / Math.SQRT2 + 100) / 2, 10);
    // Sample standard deviation of the two user means.
    expect(pers!.sd).toBeCloseTo(Math.abs(100 - 100 / Math.SQRT2) / Math.SQRT2, 10);
    expect(r.fig3).toEqual([
      expect.objectContaining({ llm: 'm', setting: '0-shot', delta_pct: expect.closeTo((100 * (pers!.clipscore - base!.clipscore)) / base!.clipscore, 10) }),
    ]);
    expect(pers!.clipscore_hessel).toBeCloseTo(2.5 * pers!.clipscore, 10);
    // Persona wins on both trials: 2 of 2 → p = 0.5; the mean difference is the difference of the means.
    expect(r.winRates.m).toEqual([
      expect.objectContaining({ a: 'baseline', b: 'persona', trials: 2, n: 2, wins_a: 0, wins_b: 2, ties: 0, win_rate_a: 0, p_value: expect.closeTo(0.5, 12), min_p_value: 0.5 }),
    ]);
    expect(r.winRates.m![0]!.mean_diff).toBeCloseTo(base!.clipscore - pers!.clipscore, 10);
    const ref = fromRows([images['ref-u1']!, images['ref-u2']!]);
    expect(pers!.cmmd).toBeCloseTo(cmmd(ref, fromRows([images['pers-u1']!, images['pers-u2']!])).cmmd, 9);
    // One image a side per user: below the 2 the unbiased per-user estimator needs; both listed.
    expect(pers!.cmmdPerUser).toMatchObject({ minImages: 2, perUser: {}, below: ['u1', 'u2'] });
    expect(r.usage.m!.cost).toBeCloseTo((1000 * 1 + 500 * 2) / 1e6, 12);
    expect(r.ipfSkipped).toMatch(/no user has demographics/);
    expect(r.metrics).toEqual({ computed: 4, cached: 0 });
    // The second time every metric comes from the store.
    expect((await computeResults(manifest(), s)).metrics).toEqual({ computed: 0, cached: 4 });
    s.close();
  });

  it('per-user CMMD: each user\'s images against their own reference, unbiased, equal to a direct computation', async () => {
    // Two seeds of one prompt per user and method, two reference images per user.
    const vec: Record<string, number[]> = {
      'b-u1-0': [1, 0, 0], 'b-u1-1': [0.9, 0.1, 0], 'b-u2-0': [0, 1, 0], 'b-u2-1': [0.1, 1, 0.2],
      'p-u1-0': [1, 0.3, 0], 'p-u1-1': [0.8, 0, 0.5], 'p-u2-0': [0, 0.7, 0.7], 'p-u2-1': [0.3, 0.3, 1],
      'r-u1-0': [1, 0.2, 0.1], 'r-u1-1': [0.7, 0.1, 0.3], 'r-u2-0': [0.1, 0.9, 0.4], 'r-u2-1': [0.2, 0.6, 0.9],
    };
    const s = new BenchStore(join(tmp, 'per-user', 'bench.db'));
    for (const [key, v] of Object.entries(vec)) s.putEmbeddings('img', [key], fromRows([v]));
    s.putEmbeddings('txt', ['t'], fromRows([[1, 0, 0]]));
    const samples: Sample[] = ['baseline', 'persona'].flatMap((method) =>
      ['u1', 'u2'].flatMap((user) => [0, 1].map((seed) => ({ ...sample(method, user, `${method[0]}-${user}-${seed}`), seed }))),
    );
    const m = { ...manifest(), samples, reference: { kind: 'history' as const, images: ['u1', 'u2'].flatMap((u) => [0, 1].map((i) => ({ user: u, image: `r-${u}-${i}` }))), minImages: 2 } };
    const r = await computeResults(m, s);
    s.close();
    /** The unbiased MMD² written out: normalise, exp(−‖a − b‖²/200), within-set means without the diagonal, ×1000. */
    const direct = (xs: number[][], ys: number[][]) => {
      const unit = (v: number[]) => v.map((t) => t / Math.hypot(...v));
      const k = (a: number[], b: number[]) => Math.exp(-a.reduce((acc, t, i) => acc + (t - b[i]!) ** 2, 0) / 200);
      const [X, Y] = [xs.map(unit), ys.map(unit)];
      let xx = 0, yy = 0, xy = 0;
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
        if (i !== j) { xx += k(X[i]!, X[j]!); yy += k(Y[i]!, Y[j]!); }
        xy += k(X[i]!, Y[j]!);
      }
      return 1000 * (xx / 2 + yy / 2 - (2 * xy) / 4);
    };
    for (const cell of r.cells) {
      const p = cell.method[0];
      const want = ['u1', 'u2'].map((u) => direct([0, 1].map((i) => vec[`r-${u}-${i}`]!), [0, 1].map((i) => vec[`${p}-${u}-${i}`]!)));
      expect(cell.cmmdPerUser!.perUser.u1).toBeCloseTo(want[0]!, 6);
      expect(cell.cmmdPerUser!.perUser.u2).toBeCloseTo(want[1]!, 6);
      expect(cell.cmmdPerUser!.mean).toBeCloseTo((want[0]! + want[1]!) / 2, 6);
      expect(cell.cmmdPerUser!.below).toEqual([]);
    }
    // Seeds are averaged before comparing: one trial per (user, prompt), not one per image.
    expect(r.winRates.m![0]!.trials).toBe(2);
  });

  it('ZIP Lift per importance source: persona vs baseline CLIPScore, with each ranker\'s posting accuracy', async () => {
    const s = store('zip-lift');
    const m = manifest();
    m.methods = [
      { id: 'baseline', label: 'LLM (0-shot, no persona)', llm: true },
      { id: 'persona@attention', label: 'ZIPP (0-shot, attention persona)', llm: true, importance: 'attention' },
      { id: 'persona@tfidf', label: 'ZIPP (0-shot, tfidf persona)', llm: true, importance: 'tfidf' },
    ];
    // attention personas: the persona images (85.36); tfidf ones: the baseline images again (35.36).
    m.samples = [...m.samples, ...m.samples.filter((x) => x.method === 'baseline').map((x) => ({ ...x, method: 'persona@tfidf' }))].map((x) => (x.method === 'persona' ? { ...x, method: 'persona@attention' } : x));
    m.importance = { sources: ['attention', 'tfidf'], postingAccuracy: { attention: { ranker: 'encoder', value: 0.73, users: 40 }, tfidf: { ranker: 'tfidf', value: 0.55, users: 40 } } };
    const r = await computeResults(m, s);
    s.close();
    const base = 100 / Math.SQRT2 / 2;
    const pers = (100 / Math.SQRT2 + 100) / 2;
    expect(r.zipLift).toEqual([
      { llm: 'm', importance: 'attention', posting_accuracy: 0.73, ranker: 'encoder', eval_users: 40, method: 'persona@attention', clipscore_persona: expect.closeTo(pers, 10), clipscore_baseline: expect.closeTo(base, 10), lift_pct: expect.closeTo((100 * (pers - base)) / base, 10) },
      { llm: 'm', importance: 'tfidf', posting_accuracy: 0.55, ranker: 'tfidf', eval_users: 40, method: 'persona@tfidf', clipscore_persona: expect.closeTo(base, 10), clipscore_baseline: expect.closeTo(base, 10), lift_pct: expect.closeTo(0, 10) },
    ]);
    expect(r.fig3.map((f) => f.setting)).toEqual(['0-shot (attention)', '0-shot (tfidf)']);
  });

  it('an IPF section over the users with demographics', async () => {
    const s = store('ipf');
    const r = await computeResults(manifest({ u1: { country: 'Brazil', gender: 'F' }, u2: { country: 'Japan', gender: 'male' } }), s);
    expect(r.ipf?.axes).toEqual(['region', 'gender']);
    const report = r.ipf!.reports.m!.persona!;
    expect(Object.keys(report.subgroups.region!)).toEqual(['Latin America and the Caribbean', 'Asia']);
    expect(Object.keys(report.subgroups.gender!)).toEqual(['female', 'male']);
    expect(report.raw).toBeCloseTo(r.cells[1]!.clipscore, 10);
    expect(report.n_raked).toBe(2);
    s.close();
  });
});

describe('bench report document', () => {
  it('renders the same content as Markdown and as escaped, self-contained HTML', async () => {
    const s = store('doc');
    const m = manifest();
    const doc = await benchDocument(m, await computeResults(m, s));
    s.close();
    const md = renderMarkdown(doc);
    expect(md).toContain('| ZIPP (0-shot) <b>\\|</b> | 85.36 ± 20.71 | 213.39 | 1.336 | – (0) |'); // the pipe escaped, numbers by hand
    expect(md).toContain('Protocol **paper**');
    expect(md).toContain('| protocol | paper:');
    expect(md).toContain('| m | 0-shot | 35.36 | 85.36 | +141.42% |');
    expect(md).toContain('| m | 5 | 1,000 | 500 | 1,500 | 0.0020 |');
    const html = renderHtml(doc);
    expect(html).toContain('ZIPP (0-shot) &lt;b&gt;|&lt;/b&gt;');
    expect(html).not.toContain('<b>|</b>');
    expect(html.match(/<svg /g)?.length).toBe(4);
    expect(renderMarkdown(doc, { charts: false })).not.toContain('](charts/');
  });
});

describe('study results', () => {
  it('win rate of A per condition with the exact binomial p-value', async () => {
    const db = new StudyDb(join(tmp, 'study', 'study.db'));
    const trials = Array.from({ length: 10 }, (_, idx) => ({ idx, condition: 'persona-vs-none', aLabel: 'ZIPP (0-shot)', bLabel: 'LLM (0-shot, no persona)', prompt: 'p', left: (idx % 2 ? 'a' : 'b') as 'a' | 'b', seed: 0 }));
    db.addParticipant({ id: 'p_1', study: 'pilot', answers: {}, persona: 'You …', personaModel: 'm', usage: emptyUsage(), createdAt: '2026-01-01T00:00:00Z' }, trials);
    for (const t of trials) {
      db.markShown('p_1', t.idx);
      // A's image chosen in 9 of 10 trials, whichever side it was on.
      const pickA = t.idx !== 3;
      const side = (t.left === 'a') === pickA ? 'left' : 'right';
      expect(db.choose('p_1', t.idx, side, pickA ? 'a' : 'b')).toBe(true);
    }
    expect(db.choose('p_1', 0, 'left', 'a')).toBe(false);
    const r = studyResults(db, 'pilot');
    expect(r).toMatchObject({ participants: 1, finished: 1 });
    expect(r.conditions).toEqual([{ condition: 'persona-vs-none', a: 'ZIPP (0-shot)', b: 'LLM (0-shot, no persona)', n: 10, wins_a: 9, wins_b: 1, ties: 0, win_rate_a: 0.9, p_value: expect.closeTo(0.021484375, 12) }]);
    const md = renderMarkdown(await studyDocument(r), { charts: false });
    expect(md).toContain('| ZIPP (0-shot) | LLM (0-shot, no persona) | 10 | 9 | 1 | 0 | 90.0% | 0.0215 |');
    db.close();
  });
});

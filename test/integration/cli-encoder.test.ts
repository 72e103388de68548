import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';

/** The `zipp encoder …` commands end to end, on the shipped model and real data. */
const ROOT = path.resolve(import.meta.dirname, '../..');
const MODEL = path.join(ROOT, 'models/zipp-encoder');
const F = path.join(ROOT, 'test/fixtures/encoder');
const tmp = mkdtempSync(path.join(tmpdir(), 'zipp-cli-encoder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function zipp(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['encoder', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('zipp encoder infer', () => {
  it('ranks the user’s communities by attention, suggests others and prints the embedding', async () => {
    const r = await zipp('infer', '--communities', 'photography:40,r/AskReddit:3,nfl:12,zzz_unheard_of_community:1', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.communities).toHaveLength(4);
    const importance = doc.communities.map((c: { importance: number }) => c.importance);
    expect(importance).toEqual([...importance].sort((a: number, b: number) => b - a));
    expect(importance.reduce((s: number, x: number) => s + x, 0)).toBeCloseTo(1, 4);
    expect(doc.communities.find((c: { name: string }) => c.name === 'zzz_unheard_of_community')).toMatchObject({ known: false });
    expect(doc.communities.find((c: { name: string }) => c.name === 'askreddit')).toMatchObject({ known: true, label: 'AskReddit', comments: 3 });
    const hidden = JSON.parse(readFileSync(path.join(MODEL, 'vocabulary.json'), 'utf8')).architecture.hidden;
    expect(doc.embedding).toHaveLength(hidden);
    expect(Math.hypot(...doc.embedding)).toBeCloseTo(1, 4);
    expect(doc.suggestions).toHaveLength(10);
    expect(doc.suggestions.map((s: { name: string }) => s.name)).not.toContain('askreddit');
  });

  it('suggests communities like the user’s, not the front page (issue 9: photography, woodworking, …)', async () => {
    const list = 'photography:40,woodworking:36,cooking:32,cycling:28,askhistorians:24,analog:20,gardening:16,hiking:12';
    const r = await zipp('infer', '--communities', list, '--suggest', '10', '--json');
    expect(r.code, r.err).toBe(0);
    const suggested = JSON.parse(r.out).suggestions.map((s: { name: string }) => s.name);
    const vocab = JSON.parse(readFileSync(path.join(MODEL, 'vocabulary.json'), 'utf8')).communities as { names: string[]; users: number[] };
    const own = new Set(list.split(',').map((e) => e.split(':')[0]));
    const mostPopular = vocab.names
      .map((name, i) => ({ name, users: vocab.users[i]! }))
      .filter((c) => !own.has(c.name))
      .sort((a, b) => b.users - a.users)
      .slice(0, 5)
      .map((c) => c.name);
    expect(suggested).toHaveLength(10);
    expect(suggested.slice(0, 5)).not.toEqual(mostPopular);
    expect(suggested.slice(0, 5).filter((n: string) => mostPopular.includes(n)).length).toBeLessThan(3);
    // The text form says how they are ranked.
    const text = await zipp('infer', '--communities', list);
    expect(text.out).toMatch(/communities like yours \(by similarity to your communities, not by popularity\): /);
  });

  it('embeds an unknown community from its description when one is given', async () => {
    const list = 'photography:40,nfl:12,zzz_film_lab_talk:5';
    const plain = JSON.parse((await zipp('infer', '--communities', list, '--suggest', '0', '--json')).out);
    const file = path.join(tmp, 'descriptions.jsonl');
    writeFileSync(file, `${JSON.stringify({ name: 'zzz_film_lab_talk', title: 'Film labs', description: 'Developing and scanning film, darkroom chemistry, lab reviews' })}\n`);
    const described = JSON.parse((await zipp('infer', '--communities', list, '--descriptions', file, '--suggest', '0', '--json')).out);
    const unknown = (doc: { communities: { name: string; importance: number }[] }) => doc.communities.find((c) => c.name === 'zzz_film_lab_talk')!.importance;
    expect(unknown(described)).not.toBeCloseTo(unknown(plain), 6);
    expect(described.embedding).not.toEqual(plain.embedding);
  });

  it('reads a Reddit data export folder', async () => {
    const r = await zipp('infer', '--export', path.join(F, 'reddit-export'), '--suggest', '0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/AnalogCommunity|analogcommunity/);
    expect(r.out).toMatch(/embedding \(\d+ dims\)/);
  });

  it('exits 2 with one line for a list the model cannot use, a bad list and a missing model', async () => {
    const none = await zipp('infer', '--communities', 'qqq_nothing:3,zzz_nothing:1');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^zipp: --communities: none of the 2 communities \(qqq_nothing, zzz_nothing\) is in the model's vocabulary/);
    const bad = await zipp('infer', '--communities', 'photography:lots');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--communities: cannot read community entry "photography:lots"/);
    const both = await zipp('infer', '--communities', 'pics', '--export', F);
    expect(both.code).toBe(2);
    const missing = await zipp('infer', '--model', path.join(tmp, 'no-model'), '--communities', 'pics:1');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/model folder not found: .*no-model/);
    expect(missing.err.split('\n')).toHaveLength(1);
  });

  it('refuses a vocabulary that does not belong to the ONNX file', async () => {
    const copy = path.join(tmp, 'mismatched');
    cpSync(MODEL, copy, { recursive: true });
    const vocab = JSON.parse(readFileSync(path.join(copy, 'vocabulary.json'), 'utf8'));
    for (const key of ['names', 'labels', 'activity', 'users', 'prior']) vocab.communities[key] = vocab.communities[key].slice(1);
    vocab.vocabularyHash = `${vocab.communities.names.length}-00000000`;
    writeFileSync(path.join(copy, 'vocabulary.json'), JSON.stringify(vocab));
    const r = await zipp('infer', '--model', copy, '--communities', 'pics:1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not match its recorded hash|exported for vocabulary/);
  });
});

describe('zipp encoder eval', () => {
  it('prints exactly the documented JSON shape', async () => {
    const lines = readFileSync(path.join(MODEL, 'heldout-interactions.csv'), 'utf8').split('\n');
    const sample = path.join(tmp, 'heldout-sample.csv');
    writeFileSync(sample, lines.slice(0, 800).join('\n'));
    const r = await zipp('eval', '--model', MODEL, '--interactions', sample, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    const keys = ['hit@1', 'hit@10', 'mrr', 'posting_accuracy'];
    expect(Object.keys(doc)).toEqual(['users', 'encoder', 'baselines', 'paired', 'attention', 'suggestions']);
    expect(Object.keys(doc.baselines)).toEqual(['popularity', 'tfidf', 'random', 'cosine']);
    for (const m of [doc.encoder, doc.baselines.popularity, doc.baselines.tfidf, doc.baselines.random, doc.baselines.cosine]) {
      expect(Object.keys(m)).toEqual(keys);
      for (const k of keys) expect(m[k]).toBeGreaterThanOrEqual(0);
    }
    expect(doc.users).toBeGreaterThan(50);
    expect(doc.encoder.posting_accuracy).toBeGreaterThan(doc.baselines.random.posting_accuracy);
    // Paired differences are encoder − baseline on the same cases, so their means equal the MRR differences.
    expect(Object.keys(doc.paired)).toEqual(['popularity', 'cosine', 'tfidf']);
    for (const b of ['popularity', 'cosine', 'tfidf'])
      expect(doc.paired[b].mrr.meanDifference).toBeCloseTo(doc.encoder.mrr - doc.baselines[b].mrr, 5);
    expect(Object.keys(doc.attention)).toEqual(['evidence', 'popularitySpearman', 'entropy', 'users']);
    expect(Object.keys(doc.attention.evidence)).toEqual(['attention', 'activity', 'random']);
    expect(doc.attention.entropy).toBeGreaterThan(0);
    expect(doc.attention.entropy).toBeLessThanOrEqual(1);
    expect(Math.abs(doc.attention.popularitySpearman)).toBeLessThanOrEqual(1);
    expect(doc.attention.users.evidence).toBeGreaterThan(10);
    expect(Object.keys(doc.suggestions)).toEqual(['hit@10', 'top50Overlap', 'shownInTop50']);

    // The table adds the paired comparison with popularity, consistent with the JSON numbers.
    const table = await zipp('eval', '--model', MODEL, '--interactions', sample);
    expect(table.code).toBe(0);
    const mrr = /^ {2}MRR +([+−])(\d\.\d{4}) \(95% bootstrap CI [+−]\d\.\d{4} to [+−]\d\.\d{4}\); better on (\d+), worse on (\d+) users, sign test p = \S+$/m.exec(table.out);
    expect(mrr).not.toBeNull();
    const diff = (mrr![1] === '−' ? -1 : 1) * Number(mrr![2]);
    expect(diff).toBeCloseTo(doc.encoder.mrr - doc.baselines.popularity.mrr, 3);
    expect(Number(mrr![3]) + Number(mrr![4])).toBeLessThanOrEqual(doc.users);
    expect(table.out).toMatch(/^ {2}hit@10 +[+−]\d\.\d{4} \(95% bootstrap CI/m);
  });

  it('exits 2 on an unknown model folder and on input with no evaluable user', async () => {
    expect((await zipp('eval', '--model', path.join(tmp, 'nope'), '--interactions', path.join(F, 'edges-with-errors.csv'))).code).toBe(2);
    const r = await zipp('eval', '--model', MODEL, '--interactions', path.join(F, 'reddit-export', 'comments.csv'));
    expect(r.code).toBe(2);
  });
});

describe('zipp encoder ingest', () => {
  it('writes the aggregated graph and reports the malformed lines', async () => {
    const out = path.join(tmp, 'graph.csv');
    const r = await zipp('ingest', '--interactions', path.join(F, 'pushshift-sample.ndjson.zst'), '--max-error-rate', '0.5', '--out', out, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.sources[0].malformedLines).toEqual([13, 14, 15]);
    expect(readFileSync(out, 'utf8').split('\n')[1]).toBe('alice_h,AnalogCommunity,1,1');
  });

  it('exits 2 past the error rate', async () => {
    const r = await zipp('ingest', '--interactions', path.join(F, 'pushshift-sample.ndjson'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lines 13, 14, 15/);
  });
});

describe('zipp encoder train --embedder none (structure-only)', () => {
  it('learns id vectors, says that --embedder none wins over --communities, and ignores ids it never saw', async () => {
    const lines = readFileSync(path.join(ROOT, 'models/data/reddit-dense/interactions.csv'), 'utf8').split('\n');
    const sample = path.join(tmp, 'dense-sample.csv');
    writeFileSync(sample, [lines[0], ...lines.slice(1).filter((l) => /^u00[0-3]/.test(l))].join('\n'));
    const out = path.join(tmp, 'ids-model');
    const r = await zipp('train', '--interactions', sample, '--embedder', 'none', '--communities', path.join(F, 'communities.jsonl'), '--out', out, '--epochs', '1', '--hidden', '8',
      '--negatives', 'vocabulary', '--mask-rate', '0.3', '--propagation', '1', '--id-weight-decay', '0.0001', '--json');
    expect(r.code, r.err).toBe(0);
    // The objective flags reach the trained model's configuration (they were once parsed and dropped).
    expect(JSON.parse(readFileSync(path.join(out, 'weights.json'), 'utf8')).config).toMatchObject({ negatives: 'vocabulary', maskRate: 0.3, propagation: 1, idWeightDecay: 0.0001 });
    expect(r.err).toMatch(/--embedder none wins over the texts of --communities: the model is structure-only/);
    expect(JSON.parse(readFileSync(path.join(out, 'vocabulary.json'), 'utf8')).embedder).toEqual({ kind: 'none' });
    expect(readFileSync(path.join(out, 'model-card.md'), 'utf8')).toMatch(/Community features: none \(structure-only/);
    const known = lines[1]!.split(',')[1]!;
    const inferred = await zipp('infer', '--model', out, '--communities', `${known}:4,s99999:2`);
    expect(inferred.code, inferred.err).toBe(0);
    expect(inferred.out).toMatch(/ignored: s99999 \(not in the vocabulary of this structure-only model/);
    const none = await zipp('infer', '--model', out, '--communities', 's99998:4,s99999:2');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^zipp: --communities: none of the 2 communities \(s99998, s99999\) is in the vocabulary of this structure-only model/);
    expect(none.err.split('\n')).toHaveLength(1);
    const dim = await zipp('train', '--interactions', sample, '--embedder', 'none', '--feature-dim', '64', '--out', out);
    expect(dim.code).toBe(2);
    expect(dim.err).toMatch(/--feature-dim applies to the hashed-tfidf embedder only/);
  }, 120_000);
});

describe('zipp encoder train', () => {
  it('trains a tiny model from real Reddit activity and writes a complete, loadable model folder', async () => {
    const lines = readFileSync(path.join(ROOT, 'models/data/reddit/interactions.csv'), 'utf8').split('\n');
    const sample = path.join(tmp, 'reddit-sample.csv');
    writeFileSync(sample, [lines[0], ...lines.slice(1).filter((l) => /^u[0-9a-f]*[01],/.test(l))].join('\n'));
    const out = path.join(tmp, 'tiny-model');
    const r = await zipp('train', '--interactions', sample, '--communities', path.join(ROOT, 'models/data/reddit/communities.jsonl'), '--out', out, '--epochs', '1', '--hidden', '8', '--feature-dim', '64', '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.epochs).toBe(1);
    expect(Object.keys(doc.files)).toEqual(expect.arrayContaining(['encoder.onnx', 'vocabulary.json', 'community-embeddings.bin', 'weights.bin', 'train-edges.bin']));
    expect(readFileSync(path.join(out, 'model-card.md'), 'utf8')).toMatch(/## Evaluation on held-out users[\s\S]*\| popularity \|/);
    expect(r.err).toMatch(/epoch 1: loss/);
    const infer = await zipp('infer', '--model', out, '--communities', 'pics:3,funny:2', '--suggest', '3', '--json');
    expect(infer.code).toBe(0);
    expect(JSON.parse(infer.out).embedding).toHaveLength(8);
  }, 120_000);

  it('exits 2 on bad flags with the fix', async () => {
    const r = await zipp('train', '--interactions', path.join(F, 'edges-with-errors.csv'), '--out', path.join(tmp, 'x'), '--hidden', '10');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--hidden: must be a multiple of the 4 heads/);
    const votes = await zipp('train', '--interactions', path.join(F, 'edges-with-errors.csv'), '--out', path.join(tmp, 'x'), '--votes', '8');
    expect(votes.code).toBe(2);
    expect(votes.err.trim().split('\n')).toHaveLength(1);
    expect(votes.err).toMatch(/--votes needs --negatives vocabulary/);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommunityRecords } from '../../shared/community/records.ts';
import type { Manifest } from '../../server/bench/manifest.ts';
import { PAPER_PERSONA_TEMPLATE } from '../../server/bench/mined.ts';
import type { BenchResults } from '../../server/bench/results.ts';
import { readUserLists } from '../../server/encoder/evaluate.ts';
import { loadEncoder } from '../../server/encoder/load.ts';
import { startBenchHarness, type BenchHarness } from '../helpers/bench-harness.ts';
import type { OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * Mined personas, the paper's path end to end, on real vendored Reddit users the shipped encoder never
 * saw (models/zipp-encoder/heldout-interactions.csv, with their comments from
 * models/data/reddit/user_texts.jsonl): encoder attention → Algorithm 3's context with the exact ⌊B·α̃⌋
 * budget and no spill-over → the Table 2 persona prompt → the rewrite; one persona per importance source,
 * and the ZIP Lift table. LLM and ComfyUI are the test servers, CLIP the tiny model.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const HELDOUT = join(root, 'models/zipp-encoder/heldout-interactions.csv');
const TEXTS = join(root, 'models/data/reddit/user_texts.jsonl');
const PROMPTS = join(root, 'test/fixtures/bench/base-prompts.txt');
const ENCODER = join(root, 'models/zipp-encoder');
/** Two held-out users with comments the pipeline can place in one of their communities. */
const USERS = ['uf32228e74435', 'u3bd0eb0806d5'];
const SOURCES = ['attention', 'tfidf', 'activity', 'uniform'];

let h: BenchHarness;
let llm: OpenAiTestServer;
let tmp: string;

beforeAll(async () => {
  h = await startBenchHarness('zipp-bench-mined-');
  ({ llm, tmp } = h);
});
afterAll(() => h?.close());

const zipp = (argv: string[]) => h.zipp(argv);
const common = () => [...h.common(), '--seeds', '1', '--reference', 'none'];
const mined = (users: string, data = HELDOUT) => ['bench', '--dataset', 'communities', '--data', data, '--texts', TEXTS, '--prompts', PROMPTS, '--users', users, '--queries', '1'];

describe('zipp bench --dataset communities (mined personas)', () => {
  let out: string;
  let results: BenchResults;
  let manifest: Manifest;

  it('mines one persona per user and importance source and reports ZIP Lift per source', async () => {
    out = join(tmp, 'mined');
    const r = await zipp([...mined(USERS.join(',')), '--methods', 'baseline,persona', '--importance', SOURCES.join(','), ...common(), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    results = r.json().results;
    manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.methods.map((m) => m.id)).toEqual(['baseline', ...SOURCES.map((s) => `persona@${s}`)]);
    expect(Object.keys(manifest.personas).sort()).toEqual(USERS.flatMap((u) => SOURCES.map((s) => `${u}@${s}`)).sort());
    for (const p of Object.values(manifest.personas)) expect(p).toMatchObject({ source: 'mined', template: PAPER_PERSONA_TEMPLATE.ref });
    // Each persona request is the Table 2 prompt over the user's own comments.
    const personaBodies = llm.chatBodies().filter((b) => b.messages?.[0]?.content === PAPER_PERSONA_TEMPLATE.system);
    expect(personaBodies).toHaveLength(USERS.length * SOURCES.length);
    for (const b of personaBodies) expect(b.messages![1]!.content).toMatch(/<<<POSTS\n### r\//);
    // The rewrites role-play the mined persona of their source.
    const rewrite = llm.chatBodies().find((b) => b.messages?.[0]?.role === 'system' && b.messages[0].content === manifest.personas[`${USERS[0]}@tfidf`]!.text);
    expect(rewrite?.messages?.[1]?.content).toMatch(/^You want to generate an image/);

    expect(results.zipLift.map((z) => z.importance)).toEqual(SOURCES);
    for (const z of results.zipLift) {
      const persona = results.cells.find((c) => c.method === `persona@${z.importance}`)!;
      const baseline = results.cells.find((c) => c.method === 'baseline')!;
      // (The tiny CLIP often scores 0; the lift is then undefined, null in JSON. The arithmetic: bench-results.test.ts.)
      if (baseline.clipscore > 0) expect(z.lift_pct).toBeCloseTo((100 * (persona.clipscore - baseline.clipscore)) / baseline.clipscore, 10);
      else expect(z.lift_pct).toBeNull();
      expect(z.eval_users).toBe(2);
      expect(z.posting_accuracy).toBeGreaterThanOrEqual(0);
      expect(z.posting_accuracy).toBeLessThanOrEqual(1);
    }
    expect(results.zipLift.map((z) => z.ranker)).toEqual(['encoder', 'tfidf', 'popularity', 'random']);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## ZIP Lift by importance source (Table 10)');
    expect(md).toMatch(/\| ZIPP \(0-shot, attention persona\) \| encoder \| \d+\.\d% \(2 users\) \|/);
  });

  it('gives each community the exact ⌊4096 · α̃⌋ tokens of the encoder\'s attention, with no spill-over', async () => {
    const lists = await readUserLists(HELDOUT);
    const nsfw = new Set(parseCommunityRecords(readFileSync(join(root, 'models/data/reddit/communities.jsonl'), 'utf8'), 'communities.jsonl').nsfw());
    const encoder = await loadEncoder(ENCODER, { communityEmbeddings: false });
    try {
      for (const user of USERS) {
        const list = lists.get(user)!.filter((c) => !nsfw.has(c.name));
        const [encoded] = await encoder.encode([list]);
        const total = encoded!.communities.reduce((s, c) => s + c.importance, 0);
        const attention = new Map(encoded!.communities.map((c) => [c.name, c.importance / total]));
        const evidence = manifest.personas[`${user}@attention`]!.evidence!;
        expect(evidence).toMatchObject({ budget: 4096, spillover: false });
        // Every community of the user, most attended first, weighted by its normalised attention.
        expect(evidence.communities.map((c) => c.name)).toEqual([...attention].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([n]) => n));
        for (const c of evidence.communities) {
          expect(c.weight).toBeCloseTo(attention.get(c.name)!, 6);
          expect(c.budget).toBe(Math.floor(4096 * attention.get(c.name)! + 1e-9));
          // No spill-over: a community never takes more than its own share.
          expect(c.used).toBeLessThanOrEqual(c.budget);
        }
        expect(evidence.communities.some((c) => c.items > 0)).toBe(true);
        expect(evidence.tokens).toBeLessThanOrEqual(4096 + 64);
        // Another source weights the same communities differently: the evidence follows the importance.
        const uniform = manifest.personas[`${user}@uniform`]!.evidence!;
        for (const c of uniform.communities) expect(c.weight).toBeCloseTo(1 / uniform.communities.length, 12);
      }
    } finally {
      await encoder.release();
    }
  });
});

describe('zipp bench --dataset communities with the users\' own prompts', () => {
  it('keeps the held-out prompts (queries, CMMD references) out of the persona\'s evidence, even when the user posted them', async () => {
    const user = USERS[0]!;
    const prompts = [
      'a rusty tugboat pushing a barge through thick harbour fog at dawn',
      'an abandoned carnival ferris wheel overgrown with ivy under a full moon',
      'a tiny workshop full of clocks and gears lit by a single oil lamp',
      'a street market in the rain with neon signs reflected in the puddles',
      'a desert canyon at noon with a lone hiker and long hard shadows',
    ];
    const promptsFile = join(tmp, 'own-prompts.jsonl');
    writeFileSync(promptsFile, prompts.map((prompt) => JSON.stringify({ user, prompt })).join('\n'));
    // The user's own comments, some of which post their prompts verbatim or quote them.
    const community = (await readUserLists(HELDOUT)).get(user)![0]!.name;
    const comments = [
      ...prompts.map((p, i) => ({ user, community, score: 50 - i, text: i % 2 ? p : `Here is what I typed into the generator last night: ${p}. Came out great, what do you think?` })),
      { user, community, score: 3, text: 'I spent the whole weekend fixing the old bike in the garage and it finally rides again.' },
      { user, community, score: 2, text: 'Honestly the best part of living near the coast is the fog horns at night, never gets old.' },
    ];
    const textsFile = join(tmp, 'own-texts.jsonl');
    writeFileSync(textsFile, comments.map((c) => JSON.stringify(c)).join('\n'));
    const out = join(tmp, 'own-prompts');
    llm.reset();
    const r = await zipp(['bench', '--dataset', 'communities', '--data', HELDOUT, '--texts', textsFile, '--prompts', promptsFile, '--users', user, '--queries', '1', '--methods', 'persona,fewshot-baseline:3', ...h.common(), '--seeds', '1', '--reference', 'history', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    const reference = manifest.reference.split!.users[user]!.reference;
    expect(reference).toHaveLength(2);
    const query = manifest.samples[0]!.original;
    expect(query).toBe(prompts.at(-1));
    const persona = llm.chatBodies().filter((b) => b.messages?.[0]?.content === PAPER_PERSONA_TEMPLATE.system);
    expect(persona).toHaveLength(1);
    const evidence = persona[0]!.messages![1]!.content as string;
    // The comments that are not held-out prompts made it in; none that is or quotes one did.
    expect(evidence).toContain('fixing the old bike');
    for (const p of [query, ...reference]) expect(evidence).not.toContain(p);
    // The reference prompts reach no request at all; the context prompts are the few-shot examples.
    const everything = JSON.stringify(llm.chatBodies());
    for (const p of reference) expect(everything).not.toContain(p);
    // 3 of the 5 comments quoting prompts are held out (the query and 2 references); the 2 context prompts stay.
    expect(manifest.dataset.textsWithheld).toEqual({ [user]: 3 });
  });
});

describe('zipp bench --dataset communities, bad input', () => {
  it('a user the encoder knows nothing about: exit 2 before any LLM request, naming the user and the fix', async () => {
    const file = join(tmp, 'strangers.csv');
    writeFileSync(file, 'user,community,comments\nustranger,zzqqnotarealsub1,3\nustranger,zzqqnotarealsub2,1\n');
    const before = llm.requests.length;
    const r = await zipp([...mined('ustranger', file), '--methods', 'baseline,persona', ...common(), '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zipp: dataset\.users: the encoder \(.*zipp-encoder\) knows none of the communities of 1 user\(s\), e.g\. ustranger \(zzqqnotarealsub1, zzqqnotarealsub2\); leave them out \(dataset\.users\), or train an encoder on data that has their communities \(zipp encoder train\)\n$/);
    expect(llm.requests.length).toBe(before);
  });

  it('few-shot methods on users without history, and a missing prompt pool: exit 2 with the fix', async () => {
    const fewshot = await zipp([...mined(USERS[0]!), '--methods', 'fewshot:3', ...common(), '--out', join(tmp, 'bad')]);
    expect(fewshot.code).toBe(2);
    expect(fewshot.stderr).toMatch(/^zipp: methods: fewshot:3@attention shows earlier prompts, but 1 user\(s\) have none left .*drop the few-shot and retrieval methods\n$/);
    const noPool = await zipp(['bench', '--dataset', 'communities', '--data', HELDOUT, ...common(), '--out', join(tmp, 'bad')]);
    expect(noPool.code).toBe(2);
    expect(noPool.stderr).toMatch(/^zipp: dataset\.prompts: the communities dataset needs a prompt pool/);
  });
});

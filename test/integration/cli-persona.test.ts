import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { PersonaEvidence } from '../../shared/schemas/persona.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { loadEncoder } from '../../server/encoder/load.ts';
import { parseCommunitySpec } from '../../shared/community/list.ts';

// `zipp persona` end to end: the real bin/zipp.js in a child process, talking to the OpenAI-compatible
// test server over HTTP. Bad-input cases run in-process through the same `main` (no LLM is reached).
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/persona');
const run = promisify(execFile);

let llm: OpenAiTestServer;
let dir: string;
beforeAll(async () => {
  llm = await startOpenAiServer();
  dir = mkdtempSync(join(tmpdir(), 'zipp-persona-'));
});
afterAll(async () => {
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

const llmEnv = () => ({ ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: 'test', ZIPP_LLM_MODEL: 'zipp-test-model' });

async function zipp(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [join(root, 'bin/zipp.js'), ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function inProcess(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['persona', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('zipp persona (bin/zipp.js)', () => {
  it('verbalizes from the vendored {user, text} file and prints one JSON document', async () => {
    const r = await zipp(
      ['persona', '--communities', 'woodworking:3,Pathfinder_RPG:2,geology:1', '--texts', join(fixtures, 'user_texts.jsonl'), '--user', 'u9d954ebc5e15', '--descriptions', join(fixtures, 'communities.jsonl'), '--importance', 'tfidf', '--json'],
      llmEnv(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { text: string; template: string; model: string; usage: { requests: number }; evidence: unknown; warnings: string[] };
    expect(doc.template).toBe('persona-from-texts@1');
    expect(doc.model).toBe('zipp-test-model');
    expect(doc.text).toMatch(/^You /);
    expect(doc.usage.requests).toBe(1);
    const evidence = PersonaEvidence.parse(doc.evidence);
    // The sharpening comment names woodworking: it lands there; the Pathfinder build and the mesa question
    // share no words with any community profile, so they come in through the unassigned pool.
    expect(evidence.items.map((i) => i.community)).toEqual(['woodworking', '(unassigned)', '(unassigned)']);
    expect(evidence.items[0]!.text).toMatch(/^Hey y'all, I've been sharpening/);
    // TF-IDF against the vendored interactions.csv (12,297 users; woodworking in 15, the others in 3):
    // tf 3/6, 2/6, 1/6 × idf ln(12298 / (1 + df)) + 1.
    const idf = (df: number) => Math.log(12298 / (1 + df)) + 1;
    const raw = [(3 / 6) * idf(15), (2 / 6) * idf(3), (1 / 6) * idf(3)];
    const total = raw.reduce((a, b) => a + b, 0);
    expect(evidence.communities.map((c) => c.name)).toEqual(['woodworking', 'pathfinder_rpg', 'geology']);
    evidence.communities.forEach((c, i) => expect(c.weight).toBeCloseTo(raw[i]! / total, 10));
    const sent = llm.chatBodies().at(-1)!.messages!.at(-1)!.content as string;
    expect(sent).toContain('### Other posts and comments');
  });

  it("weighs communities by the shipped encoder's attention by default", async () => {
    const list = 'woodworking:3,Pathfinder_RPG:2,geology:1';
    const r = await zipp(['persona', '--communities', list, '--texts', join(fixtures, 'user_texts.jsonl'), '--user', 'u9d954ebc5e15', '--descriptions', join(fixtures, 'communities.jsonl'), '--json'], llmEnv());
    expect(r.code).toBe(0);
    const evidence = PersonaEvidence.parse(JSON.parse(r.stdout).evidence);
    const encoder = await loadEncoder(undefined, { communityEmbeddings: false });
    try {
      const attention = await encoder.importance(parseCommunitySpec(list));
      const total = [...attention.values()].reduce((a, b) => a + b, 0);
      expect(evidence.communities.map((c) => c.name).sort()).toEqual([...attention.keys()].sort());
      for (const c of evidence.communities) expect(c.weight).toBeCloseTo(attention.get(c.name)! / total, 10);
    } finally {
      await encoder.release();
    }
  });

  it('prints the paragraph on stdout and the summary on stderr; community-only with the vendored descriptions', async () => {
    const r = await zipp(['persona', '-c', 'analog:40,woodworking:12'], llmEnv());
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^You are someone who .*r\/analog/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/persona-from-communities@1 · zipp-test-model · 2 communities, no texts · 1 request, \d+ tokens/);
  });

  it('exits 2 with NO_LLM_CONFIGURED when no LLM is set', async () => {
    const r = await zipp(['persona', '--communities', 'analog:40']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^zipp: no LLM configured: set OPENAI_API_KEY/);
  });
});

describe('zipp persona: input checks and other modes (in-process)', () => {
  it.each([
    [['--communities', 'analog:lots'], /^zipp: --communities: cannot read community entry "analog:lots": expected a community and a count, e.g\. .*"analog:3\/40" \(posts\/comments\)/],
    [['--communities', 'analog:4,r/Analog:2'], /^zipp: --communities: "r\/Analog:2": the community appears twice; merge its counts/],
    [['--communities', 'analog:0'], /^zipp: --communities: cannot read community entry "analog:0": the count is 0: give how many times you posted or commented/],
    [[], /give either --communities .* or --questionnaire FILE/],
    [['--communities', 'analog:4', '--budget', 'lots'], /^zipp: --budget: expected a whole number of tokens/],
    [['--communities', 'analog:4', '--importance', 'magic'], /--importance: expected encoder, tfidf or activity/],
    [['--communities', 'analog:4', '--texts', '/nonexistent/t.jsonl'], /--texts: cannot read \/nonexistent\/t.jsonl \(no such file\)/],
    [['--communities', 'analog:4', '--texts', join(fixtures, 'user_texts.jsonl')], /holds texts of 2 users: choose one with --user ID/],
    [['--communities', 'analog:4', '--user', 'u1'], /--user picks a user in --texts FILE/],
    [['--communities', 'analog:4', '--colour'], /unknown option --colour/],
    [['--questionnaire', join(fixtures, 'texts.jsonl')], /--questionnaire: .* is not JSON/],
  ])('%j → exit 2, one line', async (args, message) => {
    const r = await inProcess(args as string[], llmEnv());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('rejects a non-UTF-8 texts file and a malformed line', async () => {
    const latin1 = join(dir, 'latin1.jsonl');
    writeFileSync(latin1, Buffer.from('{"text":"caf\xe9 au lait every single morning"}\n', 'latin1'));
    const bad = await inProcess(['-c', 'analog:4', '--texts', latin1], llmEnv());
    expect([bad.code, bad.stderr]).toEqual([2, `zipp: --texts: ${latin1} is not UTF-8 text: save it as UTF-8 (e.g. iconv -t UTF-8)`]);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"text":"fine line of five words"}\n{"score":3}\n');
    const r = await inProcess(['-c', 'analog:4', '--texts', broken], llmEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^zipp: ${broken} line 2: text: `));
  });

  it('writes a persona from the questionnaire, and reports a bad answer as exit 2', async () => {
    const r = await inProcess(['--questionnaire', join(fixtures, 'questionnaire.json'), '--json'], llmEnv());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ template: 'persona-from-questionnaire@1', text: expect.stringMatching(/^You /) });
    const answers = join(dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ ageRange: '30' }));
    const bad = await inProcess(['--questionnaire', answers], llmEnv());
    expect([bad.code, bad.stderr]).toEqual([2, 'zipp: questionnaire ageRange: ageRange must be one of 18-24, 25-34, 35-44, 45-54, 55+']);
  });

  it('lists removed sensitive sentences on stderr, and keeps them with --keep-sensitive', async () => {
    llm.enqueue({ kind: 'answer', text: 'You carve spoons. You are a devout Catholic.' });
    const r = await inProcess(['-c', 'woodworking', '--descriptions', join(fixtures, 'communities.jsonl')], llmEnv()); // a bare name counts 1
    expect(r.stdout).toBe('You carve spoons.');
    expect(r.stderr).toContain('removed (religion): You are a devout Catholic.');
    llm.enqueue({ kind: 'answer', text: 'You carve spoons. You are a devout Catholic.' });
    const kept = await inProcess(['-c', 'woodworking:3', '--descriptions', join(fixtures, 'communities.jsonl'), '--keep-sensitive'], llmEnv());
    expect(kept.stdout).toBe('You carve spoons. You are a devout Catholic.');
    expect(kept.stderr).toContain('warning: kept 1 sensitive statement (keepSensitive)');
  });

  it('maps LLM failures: a bad key exits 2, a failing server 1', async () => {
    llm.enqueue({ kind: 'error', status: 401 });
    const key = await inProcess(['-c', 'woodworking:3', '--importance', 'activity'], llmEnv());
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/rejected the API key \(401\)/);
    llm.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    const down = await inProcess(['-c', 'woodworking:3', '--importance', 'activity'], { ...llmEnv(), ZIPP_LLM_MAX_RETRIES: '0' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/keeps failing \(HTTP 500\)/);
    llm.reset();
  });
});

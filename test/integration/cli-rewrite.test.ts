import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';
import { parseHistory } from '../../server/cli/commands/rewrite.ts';
import { RewriteResult } from '../../shared/schemas/rewrite.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => join(root, 'test/fixtures/rewrite', name);

let llm: OpenAiTestServer;
let scratch: string;
beforeAll(async () => {
  llm = await startOpenAiServer();
  scratch = mkdtempSync(join(tmpdir(), 'zipp-cli-rewrite-'));
});
afterAll(async () => {
  await llm.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => llm.reset());

/** The environment without any LLM settings of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ZIPP_LLM_|OPENAI_)/.test(k)));
  return { ...env, ...extra };
}

/** Runs the real `bin/zipp.js` in a child process. */
function zipp(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/zipp.js'), ...args], { cwd: root, env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs the CLI in-process (same code path after argv): quick for the bad-input matrix. */
async function zippInProcess(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['rewrite', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: cleanEnv(env) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('zipp rewrite (real bin/zipp.js against the test server)', () => {
  it('the done-when command prints one clean JSON document', async () => {
    const r = await zipp(
      ['rewrite', '--prompt', 'a cozy wooden table with an open book', '--persona', `@${fixture('persona-historian.txt')}`, '--json'],
      cleanEnv({ ZIPP_LLM_BASE_URL: llm.url }),
    );
    expect(r.stderr).not.toMatch(/zipp:/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['guard', 'method', 'model', 'rewritten', 'template', 'usage']);
    const result = RewriteResult.parse(doc);
    expect(result).toMatchObject({ method: 'persona', template: 'rewrite-persona@1', model: 'gpt-4o-mini', guard: 'passed' });
    expect(result.rewritten).toMatch(/^a cozy wooden table with an open book, /);
    expect(result.rewritten).not.toMatch(/["“”*`]|rewritten prompt|here is/i);
    expect(result.usage.requests).toBe(1);
    expect(llm.chatBodies()[0]!.messages![0]!.content).toMatch(/^You are a historian in Florence/);
  });

  it('human output: the prompt on stdout, the guard status on stderr; a dropped subject is retried', async () => {
    llm.enqueue({ kind: 'drop-subject' });
    const r = await zipp(['rewrite', '-p', 'a dog in a park', '--persona', 'You paint Art Deco posters with gold leaf.'], cleanEnv({ ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' }));
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^a dog in a park, /);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/guard: retried · persona · rewrite-persona@1 · zipp-test-model · 2 requests/);
  });

  it('with no LLM configured: exit 2 and how to connect one', async () => {
    const r = await zipp(['rewrite', '--prompt', 'a dog in a park'], cleanEnv());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^zipp: no LLM configured: set OPENAI_API_KEY .* ZIPP_LLM_BASE_URL .*Ollama/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('zipp rewrite: history files and methods', () => {
  it.each(['history.txt', 'history.json', 'history.jsonl'])('reads %s and retrieves the most similar prompts', async (file) => {
    const r = await zippInProcess(['--prompt', 'a dog in a park', '--method', 'retrieval', '--history', `@${fixture(file)}`, '--k', '2', '--json'], { ZIPP_LLM_BASE_URL: llm.url });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'retrieval', template: 'rewrite-retrieval@1' });
    const user = llm.chatBodies()[0]!.messages!.at(-1)!.content as string;
    expect(user.split('\n').filter((l) => l.startsWith('- ')).sort()).toEqual(['- a dog on a beach at dawn, film grain', '- a neon dog portrait, synthwave palette']);
    llm.reset();
  });

  it('retrieval by embedding calls the embeddings endpoint and counts its usage', async () => {
    const r = await zippInProcess(['-p', 'watercolor fox', '-m', 'retrieval', '--retrieval', 'embedding', '--history', `@${fixture('history.txt')}`, '--k', '1', '--json'], {
      ZIPP_LLM_BASE_URL: llm.url,
      ZIPP_LLM_EMBED_MODEL: 'zipp-embed',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).usage.requests).toBe(2);
    expect(llm.requests.find((q) => q.route === 'embeddings')?.body).toMatchObject({ model: 'zipp-embed' });
  });

  it('passes --temperature, and an unreachable endpoint is exit 1 naming the URL', async () => {
    expect((await zippInProcess(['-p', 'a dog', '-t', '0.2'], { ZIPP_LLM_BASE_URL: llm.url })).code).toBe(0);
    expect(llm.chatBodies()[0]!.temperature).toBe(0.2);
    const r = await zippInProcess(['-p', 'a dog'], { ZIPP_LLM_BASE_URL: 'http://127.0.0.1:9/v1', ZIPP_LLM_MAX_RETRIES: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^zipp: cannot reach the LLM endpoint at http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it('an unknown model is exit 2 naming the model', async () => {
    llm.enqueue({ kind: 'unknown-model' });
    const r = await zippInProcess(['-p', 'a dog'], { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'llama9' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"llama9".*ZIPP_LLM_MODEL/);
  });
});

describe('zipp rewrite: bad input → exit 2, one line naming the problem and the fix', () => {
  const env = () => ({ ZIPP_LLM_BASE_URL: llm.url });
  it.each([
    ['empty prompt', ['--prompt', '   '], /^zipp: --prompt: the prompt is empty/],
    ['missing prompt', ['--json'], /^zipp: --prompt: required/],
    ['prompt over 2,000 characters', ['--prompt', 'x'.repeat(2001)], /^zipp: --prompt: .*over 2000 characters: shorten it/],
    ['unknown method', ['-p', 'a dog', '--method', 'magic'], /^zipp: --method: expected one of baseline, persona/],
    ['unknown flag', ['-p', 'a dog', '--colour', 'red'], /^zipp: unknown option --colour/],
    ['k out of range', ['-p', 'a dog', '--k', '9'], /^zipp: --k: expected a whole number from 1 to 5/],
    ['bad temperature', ['-p', 'a dog', '-t', 'warm'], /^zipp: --temperature: expected a number from 0 to 2/],
    ['non-UTF-8 persona file', ['-p', 'a dog', '--persona', `@${fixture('persona-latin1.txt')}`], /^zipp: --persona: .*persona-latin1\.txt is not UTF-8 text: save it as UTF-8/],
    ['missing persona file', ['-p', 'a dog', '--persona', '@/nonexistent/p.txt'], /^zipp: --persona: cannot read \/nonexistent\/p\.txt \(no such file\)/],
    ['method needs a persona', ['-p', 'a dog', '--method', 'persona'], /^zipp: --persona: method "persona" needs a persona/],
    ['method needs history', ['-p', 'a dog', '--method', 'retrieval'], /^zipp: --history: method "retrieval" needs earlier prompts/],
  ])('%s', async (_, args, message) => {
    const r = await zippInProcess(args as string[], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(llm.chatBodies()).toHaveLength(0);
  });

  it('a persona over 8,000 tokens is refused with its real BPE token count', async () => {
    const file = join(scratch, 'long-persona.txt');
    writeFileSync(file, 'You love long walks by the sea and old maps. '.repeat(800));
    const r = await zippInProcess(['-p', 'a dog', '--persona', `@${file}`], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zipp: --persona: [\d,]+ tokens, over the 8,000-token limit .*: shorten it$/);
  });

  it('a malformed history file names the line', async () => {
    const file = join(scratch, 'bad.jsonl');
    writeFileSync(file, '{"prompt": "a"}\n{"text": "b"}\n');
    const r = await zippInProcess(['-p', 'a dog', '-m', 'retrieval', '--history', `@${file}`], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zipp: --history: .*bad\.jsonl line 2 has no "prompt" string: use one prompt per line/);
  });
});

describe('parseHistory', () => {
  it('reads the three formats alike', () => {
    const expected = ['a neon dog portrait, synthwave palette', 'watercolor fox in fresh snow', 'a dog on a beach at dawn, film grain', 'city rooftops at night'];
    expect(parseHistory('a neon dog portrait, synthwave palette\r\nwatercolor fox in fresh snow\n\na dog on a beach at dawn, film grain\ncity rooftops at night\n', 'f')).toEqual(expected);
    expect(parseHistory(JSON.stringify(expected), 'f')).toEqual(expected);
    expect(parseHistory(expected.map((prompt) => JSON.stringify({ prompt })).join('\n'), 'f')).toEqual(expected);
    expect(() => parseHistory('[1, 2]', 'f')).toThrow(/not of strings/);
  });
});

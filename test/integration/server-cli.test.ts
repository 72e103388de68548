import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** A documentation address (TEST-NET) no interface of this machine holds. */
const NOT_HERE = ['203.0.113.77', '198.51.100.77', '192.0.2.254'].find((a) => !Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === a)))!;

/** Runs `zipp serve …` in-process through the CLI framework (bad flags fail before anything starts). */
async function serve(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['serve', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {} });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('zipp serve flags', () => {
  it('documents every option in --help', async () => {
    const { code, stdout } = await serve(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--port', '--host', '--data', '--token', '--cors', '--allowed-host', '--llm', '--engine', '--endpoints', '--max-streams', '--max-streams-per-token', '--upload-idle-timeout', '--study-joins-per-client', '--study-joins-per-study', '--encoder', '--max-body', '--max-upload', '--rate-limit', '--rate-burst', '--request-timeout', '--shutdown-grace', '--concurrency', '--log-level', '--no-access-log', '--no-dashboard']) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--port', 'eighty'], /--port: expected a whole number/],
    [['--port', '70000'], /--port must be at most 65535/],
    [['--cors', 'http://example.com/path'], /--cors: .*origin/],
    [['--max-body', 'lots'], /--max-body: expected a size/],
    [['--concurrency', 'rewrite-batch'], /--concurrency: expected KIND=N/],
    [['--log-level', 'loud'], /--log-level/],
    [['--engine', 'dalle=http://x'], /--engine: "dalle=http:\/\/x": write \[NAME:\]KIND=URL/],
    [['--engine', 'gpu:comfyui=http://a', '--engine', 'gpu:a1111=http://b'], /--engine: engine gpu is both comfyui and a1111/],
    [['--llm', 'http://127.0.0.1:11434/v1'], /--llm: "http:\/\/127.0.0.1:11434\/v1": write NAME=URL/],
    [['--llm', 'default=http://x'], /--llm: the name default is the ZIPP_LLM_\* endpoint/],
    [['--endpoints', '/nonexistent/endpoints.json'], /--endpoints \/nonexistent\/endpoints.json: cannot read it/],
    [['--allowed-host', 'not a host!'], /--allowed-host: expected a host name/],
    [['--max-streams', '0'], /--max-streams must be at least 1/],
    [['--bogus'], /unknown option --bogus/],
    [['--token', 'too-short', '--data', mkdtempSync(path.join(os.tmpdir(), 'zipp-cli-'))], /^zipp: --token: the token must be at least 16 characters with no spaces/],
    [['--host', NOT_HERE, '--port', '0', '--data', mkdtempSync(path.join(os.tmpdir(), 'zipp-cli-'))], new RegExp(`cannot listen on ${NOT_HERE.replaceAll('.', '\\.')}: no interface of this machine has that address`)],
  ])('%j → exit 2 with one line naming the flag', async (args, message) => {
    const { code, stderr } = await serve(args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('says so when the port is taken (the real process, exit 2)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/zipp.js'), 'serve', '--port', String(port), '--data', mkdtempSync(path.join(os.tmpdir(), 'zipp-cli-')), '--no-dashboard', '--log-level', 'silent'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        timeout: 60_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`port ${port} is in use: stop the other server or pick another with --port`));
    } finally {
      blocker.close();
    }
  });
});

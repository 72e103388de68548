/**
 * A real `zipp serve` process (node bin/zipp.js serve) on 127.0.0.1 with a random port, for tests that
 * kill it (SIGKILL, SIGTERM) and start it again on the same data directory. Logs (JSON lines) are kept
 * for assertions; the URL comes from the "server listening" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PROCESS_TOKEN = 'zipp_process_token_0123456789';

export interface ZippProcess {
  url: string;
  child: ChildProcess;
  logs: Record<string, any>[];
  stderr: string[];
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  call(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = any>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function spawnZipp(options: { dataDir: string; env?: Record<string, string>; args?: string[]; dashboard?: boolean }): Promise<ZippProcess> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/zipp.js'), 'serve', '--port', '0', '--data', options.dataDir, '--token', PROCESS_TOKEN, ...(options.dashboard ? [] : ['--no-dashboard']), ...(options.args ?? [])],
    { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, any>[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let pending = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zipp serve did not start in 90 s: ${stderr.join('')}`)), 90_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as Record<string, any>;
        logs.push(entry);
        if (entry.msg === 'server listening') {
          clearTimeout(timer);
          resolve(entry.url as string);
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`zipp serve exited (${code}) before listening: ${stderr.join('')}`));
    });
  });
  const call = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(url + route, {
      method,
      headers: { authorization: `Bearer ${PROCESS_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return {
    url,
    child,
    logs,
    stderr,
    exited,
    call,
    async json(method, route, body) {
      const res = await call(method, route, body);
      return { status: res.status, body: (await res.json()) as any };
    },
  };
}

/**
 * The shared OpenAI test server (in this process) and a `zipp serve` process pointed at it, in a fresh
 * data directory; `close()` stops both and removes the directory.
 */
export async function startZippWithLlm(options: { args?: string[]; dashboard?: boolean; env?: Record<string, string> } = {}) {
  const { startOpenAiServer } = await import('./openai-server.ts');
  const llm = await startOpenAiServer();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-proc-'));
  const zipp = await spawnZipp({
    dataDir,
    ...(options.dashboard ? { dashboard: true } : {}),
    env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_API_KEY: 'sk-test', ZIPP_LLM_MODEL: 'zipp-test-model', ...options.env },
    ...(options.args ? { args: options.args } : {}),
  });
  return {
    llm,
    zipp,
    dataDir,
    async close() {
      zipp.child.kill('SIGTERM');
      await zipp.exited;
      await llm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

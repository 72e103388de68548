/**
 * What a `zipp bench` integration test runs against: the OpenAI-compatible LLM test server, the ComfyUI
 * test server (real HTTP, real PNGs), the tiny CLIP model written to a temporary folder, and `zipp`
 * called in-process with the LLM's environment.
 *
 *   const h = await startBenchHarness('zipp-bench-');   // in beforeAll
 *   const r = await h.zipp(['bench', ...h.common(), '--out', dir, '--json']);
 *   await h.close();                                     // in afterAll
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResults } from '../../server/bench/results.ts';
import { main } from '../../server/cli/main.ts';
import { writeTinyClip } from '../../server/eval/tiny-clip.ts';
import { startComfyUiServer, type ComfyTestServer } from './comfyui-server.ts';
import { startOpenAiServer, type OpenAiTestServer } from './openai-server.ts';

export interface ZippRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => { work: Record<string, any>; results: BenchResults; files: Record<string, string> };
}

export interface BenchHarness {
  llm: OpenAiTestServer;
  comfy: ComfyTestServer;
  /** A temporary folder, removed by close(). */
  tmp: string;
  clipDir: string;
  /** ZIPP_LLM_* pointing at the LLM test server. */
  env: Record<string, string>;
  zipp(argv: string[], environment?: Record<string, string>): Promise<ZippRun>;
  /** The engine and CLIP flags of a small, fast run (64 px, 4 steps). */
  common(): string[];
  close(): Promise<void>;
}

export async function startBenchHarness(prefix: string): Promise<BenchHarness> {
  const [llm, comfy] = await Promise.all([startOpenAiServer(), startComfyUiServer({ runningPolls: 0 })]);
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const clipDir = join(tmp, 'clip');
  await writeTinyClip(clipDir);
  const env = { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' };
  return {
    llm,
    comfy,
    tmp,
    clipDir,
    env,
    async zipp(argv, environment = env) {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, { stdout: (t) => void (stdout += `${t}\n`), stderr: (t) => void (stderr += `${t}\n`), env: environment });
      return { code, stdout, stderr, json: () => JSON.parse(stdout) };
    },
    common: () => ['--engine', `comfyui=${comfy.url}`, '--clip', clipDir, '--size', '64', '--steps', '4'],
    async close() {
      await Promise.all([llm.close(), comfy.close()]);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

import { z } from 'zod';
import { createLlmClient } from '../../shared/llm/client.ts';
import type { Env } from '../../shared/llm/settings.ts';
import type { Endpoints } from './endpoints.ts';
import type { JobKind } from '../jobs/kind.ts';
import { InputError } from '../../shared/errors.ts';
import { HttpBenchConfig, resolveHttpBenchConfig, type DefaultLlm } from './http-config.ts';
import { runBench, type BenchStage } from './run.ts';

/**
 * `zipp bench` as a durable server job (kind `bench`, started by POST /v1/bench). Its parameters are the
 * request as POST /v1/bench took it (endpoints by name, no URL or key); they are resolved against the
 * operator's endpoints when the job runs, so keys are read from the environment then and stored nowhere.
 * The run directory is the
 * job's own directory, and the run's units live there, so a job cut off by a shutdown or a crash resumes
 * with everything it had finished — exactly as rerunning the CLI command does. Progress reports the
 * current stage ("rewrites 12/48"); the result is the report's file names and the headline numbers.
 */
export const BenchJobParams = z.record(z.string(), z.unknown());
export type BenchJobParams = z.infer<typeof BenchJobParams>;

export interface BenchJobOptions {
  env: Env;
  /**
   * Checks a file a dataset file names (an absolute path by then) and refuses it by throwing unless it is
   * inside the server's data directory, as the config's own paths are (the server passes resolveInside).
   */
  confine?: (path: string, field: string) => string;
  endpoints: Endpoints;
  /** The ZIPP_LLM_* endpoint (`default`). */
  llm: () => DefaultLlm;
}

export function benchJobKind({ env, endpoints, llm, confine }: BenchJobOptions): JobKind<BenchJobParams> {
  return {
    kind: 'bench',
    description: 'benchmark run: dataset × methods × LLMs × image engine → report',
    params: BenchJobParams,
    concurrency: 1,
    total: () => 0,
    async run(ctx) {
      // Bad config (InputError), engines and LLMs failing: the job pool records each error's own code.
      const parsed = HttpBenchConfig.safeParse(ctx.params);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InputError(`bench ${issue.path.map(String).join('.')}: ${issue.message}`);
      }
      const config = resolveHttpBenchConfig(parsed.data, endpoints, llm());
      let stage: BenchStage = 'personas';
      let total = 0;
      const summary = await runBench(config, {
        outDir: ctx.jobDir(),
        env,
        clientFactory: (settings) => createLlmClient(settings),
        signal: ctx.signal,
        stopping: ctx.stopping,
        ...(confine ? { confine } : {}),
        progress: {
          stage(name, n) {
            stage = name;
            total = n;
            ctx.progress({ done: 0, total: n, message: `${name}: 0 of ${n}` });
          },
          update(done) {
            ctx.progress({ done, total, message: `${stage}: ${done} of ${total}` });
          },
          log(line) {
            ctx.log.info(line);
          },
        },
      });
      return {
        report: { html: 'report.html', markdown: 'report.md', results: 'results.json' },
        work: summary.work,
        cells: summary.results.cells.map((c) => ({ llm: c.llm, method: c.method, clipscore: c.clipscore, cmmd: c.cmmd ?? null })),
      };
    },
  };
}

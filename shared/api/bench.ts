import { z } from 'zod';
import { JobParams } from './jobs.ts';

/**
 * What `GET /v1/bench/{id}/{file}` serves of a finished run, with its content type. The request body of
 * `POST /v1/bench` is the benchmark config (server/bench/http-config.ts): the grammar of
 * `zipp bench --config`, built on the server's engine and dataset configs.
 */
export const BENCH_REPORT_FILES = {
  'report.html': 'text/html; charset=utf-8',
  'report.md': 'text/markdown; charset=utf-8',
  'results.json': 'application/json',
  'manifest.json': 'application/json',
} as const;
export type BenchReportFile = keyof typeof BENCH_REPORT_FILES;

export const BenchFileParams = JobParams.extend({
  file: z.enum(Object.keys(BENCH_REPORT_FILES) as [BenchReportFile, ...BenchReportFile[]], { error: `one of ${Object.keys(BENCH_REPORT_FILES).join(', ')}` }),
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_REPORT_FILES, BenchFileParams } from '../../../shared/api/bench.ts';
import { Job } from '../../../shared/api/jobs.ts';
import { resolveInside } from '../../runtime/inside-dir.ts';
import { ApiError } from '../../http/errors.ts';
import { DOCUMENT_CSP } from '../../http/security-headers.ts';
import { apiRoute, jsonBody, jsonResponse, otherResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';
import { mapConfigPaths, serializeConfig } from '../../bench/config.ts';
import { HttpBenchConfig, resolveHttpBenchConfig } from '../../bench/http-config.ts';

/**
 * Benchmark runs over HTTP: POST /v1/bench queues a `bench` job with the config `zipp bench --config`
 * reads, except that LLMs and the engine are picked by name among the operator's endpoints
 * (http-config.ts) and every file path is relative to the server's data directory (the vendored MovieLens
 * needs none); GET /v1/bench/{id}/{file} serves its report once written. Progress and cancelling go
 * through /v1/jobs.
 */
export function benchRoutes(app: ApiApp, s: AppServices): void {
  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/bench',
      tags: ['bench'],
      summary: 'Start a benchmark run as a durable job (dataset × methods × LLMs × image engine → report)',
      description:
        'LLMs (`llms[].endpoint`) and the image engine (`engine`) are named endpoints the operator configured (GET /v1/config lists them); URLs and key variables are refused; the CLIP model is picked the same way (`clip.endpoint`). ' +
        'Paths (dataset.path/.texts/.prompts, targets files, encoder.model, engine.cacheDir) are relative to the data directory and must stay inside it. The report: GET /v1/bench/{id}/report.html.',
      request: { body: jsonBody(HttpBenchConfig) },
      responses: { 202: jsonResponse('the queued job', Job) },
    }),
    (c) => {
      const body = c.req.valid('json');
      // Every path field of the config (one list, in mapConfigPaths) is confined to the data directory.
      const config = mapConfigPaths(body, (p, field) => resolveInside(s.dataDir, p, field), s.dataDir);
      // An unknown endpoint or model is a 400 now (an InputError naming its field) rather than a failed job later.
      resolveHttpBenchConfig(config, s.config.endpoints, s.llm.info());
      if (!config.llms) s.llm.client(); // 503 now rather than a failed job later
      const job = s.pool.enqueue('bench', serializeConfig(config));
      return c.json(job, 202, { Location: `/v1/jobs/${job.id}` });
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/bench/{id}/{file}',
      tags: ['bench'],
      summary: "A benchmark job's report: report.html (self-contained, SVG charts), report.md, results.json or manifest.json",
      request: { params: BenchFileParams },
      responses: { 200: otherResponse('the file', 'text/html') },
    }),
    (c) => {
      const params = c.req.valid('param');
      const job = s.pool.store.get(params.id);
      if (!job || job.kind !== 'bench') throw new ApiError(404, 'not_found', `no benchmark job ${params.id}; list them with GET /v1/jobs?kind=bench`, 'id');
      const file = path.join(s.dataDir, 'jobs', params.id, params.file);
      if (!existsSync(file)) throw new ApiError(404, 'not_found', `job ${params.id} has no ${params.file} yet (status ${job.status}); it is written when the run finishes`, 'file');
      // The report is a self-contained document: no script may run in it, whatever a dataset put into it.
      return c.body(readFileSync(file), 200, { 'Content-Type': BENCH_REPORT_FILES[params.file], 'Content-Security-Policy': DOCUMENT_CSP });
    },
  );
}

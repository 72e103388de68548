import { Health, ServerConfigInfo } from '../../../shared/api/server-info.ts';
import { apiRoute, jsonResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';
import { DEFAULT_OPENAI_BASE_URL } from '../../../shared/llm/settings.ts';
import { DEFAULT_CLIP_ENDPOINT, DEFAULT_LLM_ENDPOINT } from '../../bench/endpoints.ts';
import { withoutCredentials } from '../../runtime/urls.ts';

/** What /v1/config says about each LLM endpoint: where it is and whether a key goes with it, never the key or its variable. */
function llmEndpointList(s: AppServices): ServerConfigInfo['llmEndpoints'] {
  const info = s.llm.info();
  const own = info.configured
    ? [{ name: DEFAULT_LLM_ENDPOINT, baseUrl: info.baseUrl ?? DEFAULT_OPENAI_BASE_URL, ...(info.model ? { model: info.model } : {}), key: info.key ?? false }]
    : [];
  return [
    ...own,
    ...Object.entries(s.config.endpoints.llms).map(([name, e]) => ({
      name,
      baseUrl: withoutCredentials(e.baseUrl),
      ...(e.model ? { model: e.model } : {}),
      ...(e.models ? { models: e.models } : {}),
      key: Boolean(e.apiKeyEnv),
    })),
  ];
}

export function healthRoutes(app: ApiApp, s: AppServices): void {
  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/health',
      tags: ['server'],
      security: [],
      summary: 'Liveness and readiness: version, encoder loaded, LLM configured, queue depth (no token needed)',
      responses: { 200: jsonResponse('the server is up', Health) },
    }),
    (c) => {
      const llm = s.llm.info();
      return c.json({
        status: 'ok' as const,
        version: s.version,
        uptimeS: Math.round((Date.now() - s.startedAt) / 1000),
        encoder: { loaded: s.encoder.info().loaded },
        llm: { configured: llm.configured, ...(llm.hint ? { hint: llm.hint } : {}) },
        queue: { depth: s.pool.store.depth(), running: s.pool.runningCount() },
      }, 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'get',
      path: '/v1/config',
      tags: ['server'],
      summary: 'Configuration the dashboard shows: LLM endpoint and model, encoder, image engines, limits, memory',
      responses: { 200: jsonResponse('current configuration (never keys or tokens)', ServerConfigInfo) },
    }),
    (c) => {
      const mem = process.memoryUsage();
      return c.json({
        version: s.version,
        llm: s.llm.info(),
        encoder: s.encoder.info(),
        llmEndpoints: llmEndpointList(s),
        imageEngines: Object.entries(s.config.endpoints.engines).flatMap(([name, e]) => e.urls.map((url) => ({ name, kind: e.kind, url: withoutCredentials(url) }))),
        clipModels: [DEFAULT_CLIP_ENDPOINT, ...Object.keys(s.config.endpoints.clip ?? {})],
        jobKinds: s.pool.kindNames(),
        limits: {
          maxBodyBytes: s.config.maxBodyBytes,
          maxUploadBytes: s.config.maxUploadBytes,
          rateLimitPerSecond: s.config.rateLimit,
          rateBurst: s.config.rateBurst,
          requestTimeoutMs: s.config.requestTimeoutMs,
        },
        corsOrigins: s.config.corsOrigins,
        process: {
          pid: process.pid,
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          uptimeS: Math.round(process.uptime()),
          node: process.version,
        },
      }, 200);
    },
  );
}

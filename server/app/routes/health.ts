import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';
import { DEFAULT_OPENAI_BASE_URL } from '../../../shared/llm/settings.ts';
import { DEFAULT_LLM_ENDPOINT } from '../../bench/endpoints.ts';
import { withoutCredentials } from '../../runtime/urls.ts';

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeS: z.number(),
  encoder: z.object({ loaded: z.boolean() }),
  llm: z.object({ configured: z.boolean(), hint: z.string().optional() }),
  queue: z.object({ depth: z.number().int(), running: z.number().int() }),
});

const LlmInfo = z.object({ configured: z.boolean(), baseUrl: z.string().optional(), model: z.string().optional(), key: z.boolean().optional(), hint: z.string().optional() });

export const ConfigInfo = z.object({
  version: z.string(),
  llm: LlmInfo,
  encoder: z.object({ loaded: z.boolean(), dir: z.string(), details: z.record(z.string(), z.unknown()).optional(), reason: z.string().optional() }),
  /** The LLM endpoints POST /v1/bench may pick by name (`default` is the ZIPP_LLM_* one); `key` says whether one is sent. */
  llmEndpoints: z.array(z.object({ name: z.string(), baseUrl: z.string(), model: z.string().optional(), models: z.array(z.string()).optional(), key: z.boolean() })),
  /** The image engines by name, one entry per URL. */
  imageEngines: z.array(z.object({ name: z.string(), kind: z.string(), url: z.string() })),
  jobKinds: z.array(z.string()),
  limits: z.object({
    maxBodyBytes: z.number(),
    maxUploadBytes: z.number(),
    rateLimitPerSecond: z.number(),
    rateBurst: z.number(),
    requestTimeoutMs: z.number(),
  }),
  corsOrigins: z.array(z.string()),
  process: z.object({ pid: z.number(), rssBytes: z.number(), heapUsedBytes: z.number(), uptimeS: z.number(), node: z.string() }),
});

/** What /v1/config says about each LLM endpoint: where it is and whether a key goes with it, never the key or its variable. */
function llmEndpointList(s: AppServices): z.infer<typeof ConfigInfo>['llmEndpoints'] {
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

export function healthRoutes(app: Hono<AppEnv>, docs: ApiDocs, s: AppServices): void {
  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/health',
      tag: 'server',
      auth: false,
      summary: 'Liveness and readiness: version, encoder loaded, LLM configured, queue depth (no token needed)',
      responses: { 200: { description: 'the server is up', schema: Health } },
    },
    (c) => {
      const llm = s.llm.info();
      return c.json({
        status: 'ok' as const,
        version: s.version,
        uptimeS: Math.round((Date.now() - s.startedAt) / 1000),
        encoder: { loaded: s.encoder.info().loaded },
        llm: { configured: llm.configured, ...(llm.hint ? { hint: llm.hint } : {}) },
        queue: { depth: s.pool.store.depth(), running: s.pool.runningCount() },
      });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'get',
      path: '/v1/config',
      tag: 'server',
      summary: 'Configuration the dashboard shows: LLM endpoint and model, encoder, image engines, limits, memory',
      responses: { 200: { description: 'current configuration (never keys or tokens)', schema: ConfigInfo } },
    },
    (c) => {
      const mem = process.memoryUsage();
      return c.json({
        version: s.version,
        llm: s.llm.info(),
        encoder: s.encoder.info(),
        llmEndpoints: llmEndpointList(s),
        imageEngines: Object.entries(s.config.endpoints.engines).flatMap(([name, e]) => e.urls.map((url) => ({ name, kind: e.kind, url: withoutCredentials(url) }))),
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
      });
    },
  );
}

import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';
import { withoutCredentials } from '../adapters/llm.ts';

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeS: z.number(),
  encoder: z.object({ loaded: z.boolean() }),
  llm: z.object({ configured: z.boolean(), hint: z.string().optional() }),
  queue: z.object({ depth: z.number().int(), running: z.number().int() }),
});

const LlmInfo = z.object({ configured: z.boolean(), baseUrl: z.string().optional(), model: z.string().optional(), hint: z.string().optional() });

export const ConfigInfo = z.object({
  version: z.string(),
  llm: LlmInfo,
  encoder: z.object({ loaded: z.boolean(), dir: z.string(), details: z.record(z.string(), z.unknown()).optional(), reason: z.string().optional() }),
  imageEngines: z.array(z.object({ kind: z.string(), url: z.string() })),
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
        imageEngines: s.config.imageEngines.map((e) => ({ kind: e.kind, url: withoutCredentials(e.url) })),
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

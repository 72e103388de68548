import { z } from 'zod';

/** `GET /v1/health` (no token): liveness and readiness. */
export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeS: z.number(),
  encoder: z.object({ loaded: z.boolean() }),
  llm: z.object({ configured: z.boolean(), hint: z.string().optional() }),
  queue: z.object({ depth: z.number().int(), running: z.number().int() }),
});
export type Health = z.infer<typeof Health>;

/** What the server says about its own LLM: where it is and whether a key goes along, never the key. */
export const LlmInfo = z.object({
  configured: z.boolean(),
  baseUrl: z.string().optional(),
  model: z.string().optional(),
  /** Whether a key is sent with its requests. */
  key: z.boolean().optional(),
  /** When not configured: how to connect one. */
  hint: z.string().optional(),
});
export type LlmInfo = z.infer<typeof LlmInfo>;

export const EncoderInfo = z.object({
  loaded: z.boolean(),
  dir: z.string(),
  /** Vocabulary size, embedding size, model id... whatever the encoder reports. */
  details: z.record(z.string(), z.unknown()).optional(),
  /** Why it is not loaded. */
  reason: z.string().optional(),
});
export type EncoderInfo = z.infer<typeof EncoderInfo>;

/** `GET /v1/config`: what the dashboard's Status shows (never keys, key variables or tokens). */
export const ServerConfigInfo = z.object({
  version: z.string(),
  llm: LlmInfo,
  encoder: EncoderInfo,
  /** The LLM endpoints POST /v1/bench may pick by name (`default` is the ZIPP_LLM_* one); `key` says whether one is sent. */
  llmEndpoints: z.array(z.object({ name: z.string(), baseUrl: z.string(), model: z.string().optional(), models: z.array(z.string()).optional(), key: z.boolean() })),
  /** The image engines by name, one entry per URL. */
  imageEngines: z.array(z.object({ name: z.string(), kind: z.string(), url: z.string() })),
  /** The CLIP models POST /v1/bench may score with, by name (`default` is ZIPP_CLIP_MODEL, else ViT-L/14): names only, never a hub id or a folder. */
  clipModels: z.array(z.string()),
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
export type ServerConfigInfo = z.infer<typeof ServerConfigInfo>;

import { z } from 'zod';
import type { LogLevel } from '../runtime/logger.ts';
import { DEFAULT_ENCODER_DIR } from '../runtime/package-paths.ts';

/**
 * Extension and web origins allowed to call the API from a browser: `chrome-extension://<32 letters a–p>`,
 * `moz-extension://<uuid>`, or an http(s) origin (scheme, host, optional port, no path).
 */
export const CorsOrigin = z
  .string()
  .regex(
    /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f-]{36}|https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)$/,
    'expected an origin such as chrome-extension://abcdefghijklmnopabcdefghijklmnop or http://localhost:5173 (no path, no trailing slash)',
  );

/** An image engine the evaluation side can drive (kinds as in server/engines): shown on the dashboard. */
export const ImageEngineRef = z.object({
  kind: z.enum(['comfyui', 'a1111', 'openai']),
  url: z.url('the engine URL must be a full URL such as http://gpu-box:8188'),
});
export type ImageEngineRef = z.infer<typeof ImageEngineRef>;

/** "comfyui=http://gpu:8188" → {kind, url}; a list is comma-separated (ZIPP_IMAGE_ENGINES). */
export function parseEngineRefs(text: string): ImageEngineRef[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      const parsed = ImageEngineRef.safeParse({ kind: entry.slice(0, at), url: entry.slice(at + 1) });
      if (at < 0 || !parsed.success) {
        throw new Error(`image engine "${entry}": write KIND=URL with KIND one of comfyui, a1111, openai, e.g. comfyui=http://127.0.0.1:8188`);
      }
      return parsed.data;
    });
}

export const ServerConfig = z.object({
  port: z.number().int().min(0).max(65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
  /** State (SQLite, token, uploads, job files, trained models) lives here. */
  dataDir: z.string().min(1).default('./.zipp'),
  token: z.string().optional(),
  corsOrigins: z.array(CorsOrigin).default([]),
  /** JSON bodies above this many bytes get 413. */
  maxBodyBytes: z.number().int().positive().default(1024 * 1024),
  /** Streamed uploads above this many bytes are cut off with 413 (and the partial file deleted). */
  maxUploadBytes: z.number().int().positive().default(2 * 1024 ** 3),
  /** Requests per second per token (sustained); 0 = no limit. */
  rateLimit: z.number().min(0).default(50),
  /** Requests a token may send at once before the rate applies. */
  rateBurst: z.number().int().positive().default(100),
  /** Non-streaming requests are answered 504 after this long. */
  requestTimeoutMs: z.number().int().positive().default(120_000),
  /** How long a shutdown waits for in-flight requests and running jobs. */
  shutdownGraceMs: z.number().int().nonnegative().default(10_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent'] satisfies LogLevel[]).default('info'),
  /** Log one line per request (method, path, status, time). */
  accessLog: z.boolean().default(true),
  /** The ONNX community encoder served by /v1/personas/infer. */
  encoderDir: z.string().default(DEFAULT_ENCODER_DIR),
  /** Per-kind job concurrency, e.g. { "rewrite-batch": 2 }. */
  concurrency: z.record(z.string(), z.number().int().positive()).default({}),
  /** Image engines to list on the dashboard. */
  imageEngines: z.array(ImageEngineRef).default([]),
  /** Serve the React dashboard at / (building it first if it is missing or stale). */
  dashboard: z.boolean().default(true),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;

import { z } from 'zod';
import { Endpoints } from '../bench/endpoints.ts';
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

/** A host name or address the server may be reached under (see middleware/host-check.ts). */
export const HostName = z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, 'expected a host name such as gpu-box.lab.example or 10.0.0.5');

export const ServerConfig = z.object({
  port: z.number().int().min(0).max(65535).default(8787),
  host: z.string().min(1).default('127.0.0.1'),
  /** State (SQLite, token, uploads, job files, trained models) lives here. */
  dataDir: z.string().min(1).default('./.zipp'),
  token: z.string().optional(),
  corsOrigins: z.array(CorsOrigin).default([]),
  /** Host names the server answers to besides loopback ones, its addresses and the machine's name (others get 403: DNS rebinding); see middleware/host-check.ts. */
  allowedHosts: z.array(HostName).default([]),
  /** Study joins (each costs LLM calls) per client address and per study, per hour. */
  studyJoinsPerClient: z.number().int().positive().default(20),
  studyJoinsPerStudy: z.number().int().positive().default(500),
  /** JSON bodies above this many bytes get 413. */
  maxBodyBytes: z.number().int().positive().default(1024 * 1024),
  /** Streamed uploads above this many bytes are cut off with 413 (and the partial file deleted). */
  maxUploadBytes: z.number().int().positive().default(2 * 1024 ** 3),
  /** Requests per second per token (sustained); 0 = no limit. */
  rateLimit: z.number().min(0).default(50),
  /** Requests a token may send at once before the rate applies. */
  rateBurst: z.number().int().positive().default(100),
  /** Event streams (SSE) open at once, in all and per token; past either cap a new one gets 429. */
  maxStreams: z.number().int().positive().default(256),
  maxStreamsPerToken: z.number().int().positive().default(32),
  /** An upload that sends no byte for this long is cut off with 408 (its partial file deleted). */
  uploadIdleTimeoutMs: z.number().int().positive().default(30_000),
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
  /**
   * Named LLM and image-engine endpoints (endpoints.ts): what POST /v1/bench may pick from, and what the
   * dashboard lists. The ZIPP_LLM_* LLM is the endpoint `default` on top of these.
   */
  endpoints: Endpoints.default({ llms: {}, engines: {} }),
  /** Serve the React dashboard at / (building it first if it is missing or stale). */
  dashboard: z.boolean().default(true),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
export type ServerConfigInput = z.input<typeof ServerConfig>;

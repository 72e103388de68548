/**
 * The dashboard's only way to the server: fetch with the bearer token, errors turned into ApiFailure with
 * the server's one-line message, and server-sent events read from a fetch stream (EventSource cannot send
 * an Authorization header, and tokens do not belong in URLs).
 */
import { createParser } from 'eventsource-parser';
import { ErrorBody } from '../../../shared/api/error-body.ts';
import { kindOfHttpStatus, KnownError, type ErrorKind } from '../../../shared/errors.ts';

const TOKEN_KEY = 'zipp-token';

/** Takes a token handed over in the URL fragment (#token=…) into local storage and out of the address bar. */
export function adoptTokenFromUrl(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!m) return;
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]!));
  history.replaceState(null, '', window.location.pathname + window.location.search);
}

export const getToken = () => localStorage.getItem(TOKEN_KEY) ?? '';
export const setToken = (t: string) => (t ? localStorage.setItem(TOKEN_KEY, t.trim()) : localStorage.removeItem(TOKEN_KEY));

/** An error the server answered: its status, its code and its one line. */
export class ApiFailure extends KnownError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(message, { code });
  }
  get kind(): ErrorKind {
    return kindOfHttpStatus(this.status);
  }
}

async function failure(res: Response): Promise<ApiFailure> {
  try {
    const body = ErrorBody.safeParse(await res.json());
    if (body.success) return new ApiFailure(res.status, body.data.error.code, body.data.error.message);
  } catch {
    /* not JSON */
  }
  return new ApiFailure(res.status, 'http_error', `HTTP ${res.status}`);
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${getToken()}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** Reads an SSE endpoint until it ends or `signal` aborts; calls onEvent for every event. */
export async function events(path: string, onEvent: (event: string, data: unknown) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getToken()}`, Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw await failure(res);
  // The same SSE parser as the extension (eventsource-parser): every event's data is one JSON document.
  const parser = createParser({ onEvent: (e) => onEvent(e.event ?? 'message', JSON.parse(e.data) as unknown) });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}

// ---- response shapes (mirrors of the server's zod schemas; see /openapi.json) -------------------------

export interface Health {
  status: 'ok';
  version: string;
  uptimeS: number;
  encoder: { loaded: boolean };
  llm: { configured: boolean; hint?: string };
  queue: { depth: number; running: number };
}

export interface Config {
  version: string;
  llm: { configured: boolean; baseUrl?: string; model?: string; hint?: string };
  encoder: { loaded: boolean; dir: string; details?: Record<string, unknown>; reason?: string };
  /** The LLM endpoints a benchmark may pick by name (`default` is the ZIPP_LLM_* one); `key`: whether one is sent. */
  llmEndpoints: { name: string; baseUrl: string; model?: string; models?: string[]; key: boolean }[];
  /** The image engines by name, one entry per URL. */
  imageEngines: { name: string; kind: string; url: string }[];
  jobKinds: string[];
  limits: Record<string, number>;
  corsOrigins: string[];
  process: { pid: number; rssBytes: number; heapUsedBytes: number; uptimeS: number; node: string };
}

export interface Job {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'interrupted' | 'succeeded' | 'failed' | 'cancelled';
  progress: { done: number; total: number; message?: string; metrics?: Record<string, number> };
  error?: { code: string; message: string };
  attempts: number;
  interruptions: number;
  createdAt: string;
  updatedAt: string;
}

export interface InferResult {
  communities: { name: string; label: string; known: boolean; attention: number }[];
  ignored: string[];
  suggestions?: { name: string; label: string; score: number }[];
}

export interface PersonaResult {
  text: string;
  template: string;
  model: string;
  removed?: unknown[];
  warnings?: string[];
  importance?: 'weights' | 'encoder' | 'activity';
}

/** The server's own schema (shared/schemas/rewrite.ts): the dashboard shows what /v1/rewrite answers. */
export type { RewriteResult } from '../../../shared/schemas/rewrite.ts';

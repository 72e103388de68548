/**
 * The dashboard's only way to the server: fetch with the bearer token, every answer checked against the
 * server's own schema (shared/api/), errors turned into ApiFailure with the server's one-line message, and
 * server-sent events read from a fetch stream (EventSource cannot send an Authorization header, and tokens
 * do not belong in URLs).
 */
import { createParser } from 'eventsource-parser';
import type { z } from 'zod';
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

/** One API call; the answer is parsed with `schema` (the route's response schema in shared/api/). */
export async function api<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, schema: S, body?: unknown, signal?: AbortSignal): Promise<z.output<S>> {
  const res = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${getToken()}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await failure(res);
  const answer = schema.safeParse(await res.json());
  if (!answer.success) throw new ApiFailure(res.status, 'bad_response', `${method} ${path} answered in a shape this dashboard does not know (${answer.error.issues[0]?.message}); reload the page`);
  return answer.data;
}

/** Reads an SSE endpoint until it ends or `signal` aborts; calls onEvent with every event's name and data text. */
export async function events(path: string, onEvent: (event: string | undefined, data: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getToken()}`, Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw await failure(res);
  // The same SSE parser as the extension (eventsource-parser); the caller reads the data with the route's event union.
  const parser = createParser({ onEvent: (e) => onEvent(e.event, e.data) });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}

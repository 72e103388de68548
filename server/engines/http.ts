import { EngineError } from './types.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * fetch with a deadline and the retry classification every HTTP engine shares: network failures,
 * timeouts, 408, 429 and 5xx may succeed on another attempt; other 4xx will not.
 */
export async function request(
  url: string,
  init: RequestInit & { timeoutMs: number; what: string },
): Promise<Response> {
  const { timeoutMs, what, signal, ...rest } = init;
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { ...rest, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (err) {
    if (signal?.aborted) throw err;
    const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : causeOf(err);
    throw new EngineError(`${what}: ${reason}`, true);
  }
  if (!res.ok) {
    const detail = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new EngineError(`${what}: HTTP ${res.status}${detail ? ` ${detail}` : ''}`, retryable, res.status);
  }
  return res;
}

export async function requestJson<T>(url: string, init: RequestInit & { timeoutMs: number; what: string }): Promise<T> {
  const res = await request(url, init);
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new EngineError(`${init.what}: answer is not JSON (${text.slice(0, 80)})`, true);
  }
}

function causeOf(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** "http://host:8188/" → "http://host:8188", validated. */
export function baseUrl(url: string, engine: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${engine} URL '${url}' is not a URL; give e.g. http://127.0.0.1:8188`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InputError(`${engine} URL '${url}' must be http(s)`);
  return parsed.href.replace(/\/+$/, '');
}

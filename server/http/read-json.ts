import type { Context } from 'hono';
import { ApiError } from './errors.ts';

/** Reads a JSON body: 415 for another content type, 400 `invalid_json` for an empty or malformed one. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', `the body must be JSON: send "Content-Type: application/json" (got "${type.slice(0, 60) || 'none'}")`);
  }
  const text = await bodyText(c);
  if (text.trim() === '') throw new ApiError(400, 'invalid_json', 'the body is empty: send a JSON object (see /openapi.json)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]!.slice(0, 120);
    throw new ApiError(400, 'invalid_json', `the body is not valid JSON (${why}); check quotes, commas and brackets`);
  }
  const bad = malformedText(value);
  if (bad !== undefined) {
    const field = bad || undefined;
    throw new ApiError(
      400,
      'invalid_request',
      `${field ?? 'body'}: the text holds a lone UTF-16 surrogate (a \\ud800–\\udfff escape without its pair), which is not a character; send well-formed Unicode`,
      field,
    );
  }
  return value;
}

/** A UTF-16 code unit of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The dotted path of the first string (or key) in a parsed JSON value that is not well-formed UTF-16
 * ('' for the root), or undefined. UTF-8 bodies cannot hold such text, but JSON's \\u escapes can, and it
 * would reach the LLM and SQLite as garbage.
 */
export function malformedText(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? at : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const join = (k: string | number) => (at ? `${at}.${k}` : String(k));
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = malformedText(value[i], join(i));
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(k)) return join(k);
    const bad = malformedText(v, join(k));
    if (bad !== undefined) return bad;
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The request body as text; 400 `invalid_json` when it is not UTF-8. Cached: safe to call twice. */
export async function bodyText(c: Context): Promise<string> {
  const bytes = await c.req.arrayBuffer();
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_json', 'the body is not valid UTF-8 text; send JSON encoded as UTF-8');
  }
}

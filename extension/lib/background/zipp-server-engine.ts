import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import { ErrorBody } from '../../../shared/api/error-body.ts';
import { PersonaResponse } from '../../../shared/api/personas.ts';
import { parseRewriteEvent } from '../../../shared/api/rewrite-events.ts';
import { LlmInfo } from '../../../shared/api/server-info.ts';
import type { RewriteResult } from '../../../shared/schemas/rewrite.ts';
import type { LlmConnection } from '../llm/connection.ts';
import { ZippError } from '../messages/errors.ts';
import type { Engine } from './engine.ts';

/**
 * A ZIPP server (`zipp serve`) reached over its HTTP API with its bearer token. The server runs the
 * rewrite pipeline with its own LLM, so the extension needs no key of its own. Every answer is read with
 * the server's own schemas (shared/api/).
 *   GET  /v1/config                       (token)      — reachability, token, and the server's LLM
 *   POST /v1/rewrite?stream=true          (token)      — SSE: `delta` {text}, `restart`, then `result` or `error`
 *   POST /v1/personas/questionnaire       (token)      — {answers} → persona
 *   POST /v1/personas/verbalize           (token)      — {communities, weights?, texts?} → persona
 */

/** The part of /v1/config the connection check needs. */
const ConfigLlm = z.object({ llm: LlmInfo });
type ZippConnection = Extract<LlmConnection, { kind: 'zipp' }>;

const WHERE = 'ZIPP options → Connection';

async function errorFrom(res: Response, base: string): Promise<ZippError> {
  const body = ErrorBody.safeParse(await res.json().catch(() => undefined)).data;
  if (res.status === 401) return new ZippError('bad-key', `the ZIPP server at ${base} refused the token (401): paste the token it printed on first start in ${WHERE}`);
  if (res.status === 404) return new ZippError('not-available', `the ZIPP server at ${base} does not offer this (404): update the server, or connect an LLM directly in ${WHERE}`);
  if (res.status === 429) return new ZippError('rate-limited', `the ZIPP server at ${base} is rate-limiting (429): wait a moment and retry`);
  const message = body?.error.message ?? `HTTP ${res.status}`;
  return new ZippError(body?.error.code ?? 'server-error', `the ZIPP server at ${base} answered: ${message}`);
}

export function zippServerEngine(connection: ZippConnection, options: { fetch?: typeof fetch } = {}): Engine {
  const base = connection.serverUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${connection.token}`, 'content-type': 'application/json', ...init.headers },
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw new ZippError('aborted', 'the request was cancelled');
      throw new ZippError('unreachable', `cannot reach the ZIPP server at ${base}: check that \`zipp serve\` is running and the URL in ${WHERE}`);
    }
    if (!res.ok) throw await errorFrom(res, base);
    return res;
  };

  const persona = async (path: string, body: unknown, signal?: AbortSignal) => {
    const res = await call(path, { method: 'POST', body: JSON.stringify(body), ...(signal ? { signal } : {}) });
    const p = PersonaResponse.safeParse(await res.json());
    if (!p.success) throw new ZippError('bad-response', `the ZIPP server at ${base} answered a persona in a shape this extension does not know (${p.error.issues[0]?.message}): update the server or the extension`);
    return p.data;
  };

  return {
    url: base,
    questionnaire: (answers, signal) => persona('/v1/personas/questionnaire', { answers }, signal),
    // The server has its own community descriptions; it takes the encoder's importance as `weights`.
    verbalize: ({ communities, importance, texts }, _descriptions, signal) =>
      persona('/v1/personas/verbalize', { communities, ...(importance ? { weights: importance } : {}), ...(texts ? { texts } : {}) }, signal),
    async check(signal) {
      // /v1/config needs the token, so this checks the URL, the token and the server's LLM at once.
      const res = await call('/v1/config', signal ? { signal } : {});
      const parsed = ConfigLlm.safeParse(await res.json());
      if (!parsed.success) throw new ZippError('bad-response', `${base} answered /v1/config in a shape a ZIPP server does not: check the URL in ${WHERE}`);
      const config = parsed.data;
      if (!config.llm.configured) {
        throw new ZippError('no-llm', `the ZIPP server at ${base} has no LLM configured: ${config.llm.hint ?? 'start it with ZIPP_LLM_BASE_URL / ZIPP_LLM_API_KEY set'}`);
      }
      return { model: config.llm.model ?? 'the server default', reply: 'ready' };
    },
    async rewrite(request, { signal, onDelta, onRestart }) {
      const res = await call('/v1/rewrite?stream=true', {
        method: 'POST',
        body: JSON.stringify(request),
        headers: { accept: 'text/event-stream' },
        signal,
      });
      let result: RewriteResult | undefined;
      let failure: ZippError | undefined;
      const parser = createParser({
        onEvent(message) {
          // The server's event union (shared/api/rewrite-events.ts); an event this build does not know is skipped.
          const event = parseRewriteEvent(message.event, message.data);
          if (event?.event === 'delta') onDelta(event.data.text);
          else if (event?.event === 'restart') onRestart();
          else if (event?.event === 'result') result = event.data;
          else if (event?.event === 'error') failure = new ZippError(event.data.error.code, event.data.error.message);
        },
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      if (failure) throw failure;
      if (!result) throw new ZippError('bad-response', `the ZIPP server at ${base} ended the stream without a result`);
      return result;
    },
  };
}

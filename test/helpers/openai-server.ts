/**
 * A real OpenAI-compatible HTTP server for tests (Hono + @hono/node-server on 127.0.0.1, random port).
 * Every test that needs an LLM talks to this through the real `openai` SDK over real HTTP; never write a
 * second one. It answers deterministically, derived from the request, and can be scripted per test.
 *
 * ## Start / stop
 *   const llm = await startOpenAiServer();            // options: see OpenAiServerOptions
 *   llm.url        // "http://127.0.0.1:PORT/v1" — use as baseUrl / ZIPP_LLM_BASE_URL
 *   await llm.close();                                // also ends hanging requests
 *
 * ## Routes
 * - POST /v1/chat/completions — plain JSON, or SSE when `stream: true` (OpenAI chunk format: a first chunk
 *   with `role`, content chunks word by word, a chunk with `finish_reason: "stop"`, then — when
 *   `stream_options.include_usage` — a usage chunk with `choices: []`, then `data: [DONE]`).
 * - POST /v1/embeddings — deterministic vectors: hashed bag of lower-cased words, L2-normalised;
 *   `dimensions` honoured (default 256); `encoding_format` "float" or "base64" (the SDK's default).
 * - GET /v1/models — `knownModels` (default ["zipp-test-model"]).
 * Usage numbers are real o200k_base token counts of the messages and the answer.
 *
 * ## Default answers (no script queued), derived from the request
 * - Rewrite request: the last user message has a line "Base prompt: TEXT" (also "Basic prompt:",
 *   "Original prompt:"). Answer: TEXT verbatim, then ", " and three style words: the most frequent content
 *   words of the system message (the persona); without a system message, of the "- " example lines in the
 *   user message (few-shot / retrieval); without either, "detailed composition, soft natural light".
 *   So `a dog in a park` + persona about lighthouses and fog → "a dog in a park, lighthouse, fog, ...".
 * - Any other request (e.g. persona verbalization): a second-person paragraph, "You are someone who ...",
 *   naming the r/communities found in the user message and its most frequent content words (instruction
 *   words such as "persona", "paragraph", "write" are left out). Derived only from the request.
 * - `setResponder(fn)` replaces this derivation for the rest of the test.
 *
 * ## Scripting: `llm.enqueue(...behaviours)` — FIFO, one behaviour per matching request
 * Each behaviour applies to the next request on its `route` ("chat" unless given: "embeddings", "models");
 * when the queue holds none for that route, the default answer is used. Every behaviour takes `delayMs`
 * (wait before answering). Kinds:
 *   { kind: 'answer', text }                 fixed answer text
 *   { kind: 'default' }                      the derived answer (useful with delayMs)
 *   { kind: 'wrap', style }                  derived answer dressed up for hygiene tests: 'quotes' | 'label'
 *                                            | 'preamble' | 'fence' | 'explanation' | 'all'
 *   { kind: 'drop-subject', words? }         derived answer without the given base-prompt words (default:
 *                                            all of its content words, e.g. "a dog in a park" → an Art Deco
 *                                            pattern) — guard tests
 *   { kind: 'echo' }                         the base prompt unchanged
 *   { kind: 'empty' }                        200 with content ""
 *   { kind: 'error', status, retryAfter?, message? }   OpenAI-shaped error JSON; 429 / 500 / 401 / 503 ...
 *                                            retryAfter → `Retry-After` header (seconds or an HTTP date)
 *   { kind: 'unknown-model' }                404 `model_not_found`, as OpenAI answers it
 *   { kind: 'malformed' }                    200 application/json with a broken body (SSE: a broken chunk)
 *   { kind: 'hang' }                         never answers (until the client gives up or close())
 *   { kind: 'drop-connection' }              destroys the socket: a network error for the client
 *   { kind: 'stall', afterChunks }           streaming only: sends afterChunks content chunks, then hangs
 *   Any answer kind may set `usage` to override the reported token counts.
 *
 * ## Options
 *   knownModels: string[]  → requests naming another model get the 404 above (default: any model accepted)
 *   apiKey: string         → requests without "Authorization: Bearer <apiKey>" get 401 invalid_api_key
 *   originPolicy: 'ollama' → a request whose Origin header Ollama would not allow gets 403 with an empty body,
 *                            as Ollama's CORS middleware answers it: allowed are no Origin at all, http(s) on
 *                            localhost / 127.0.0.1 / 0.0.0.0 (any port), app:, file:, tauri:, vscode-webview:
 *                            and vscode-file: origins, and `allowOrigins` (what OLLAMA_ORIGINS adds)
 *
 * ## Assertions
 *   llm.requests           every request: { route, method, path, headers (lower-cased), body }
 *   llm.chatBodies()       bodies of chat requests, oldest first
 *   llm.pending()          behaviours still queued
 *   llm.reset()            clears queue, records and responder
 */
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { requestBody } from './http-test-server.ts';

export type Route = 'chat' | 'embeddings' | 'models';

interface Common {
  route?: Route;
  delayMs?: number;
}
export interface UsageOverride {
  prompt_tokens?: number;
  completion_tokens?: number;
}
export type Behaviour = Common &
  (
    | { kind: 'answer'; text: string; usage?: UsageOverride }
    | { kind: 'default'; usage?: UsageOverride }
    | { kind: 'wrap'; style: WrapStyle; usage?: UsageOverride }
    | { kind: 'drop-subject'; words?: string[]; usage?: UsageOverride }
    | { kind: 'echo'; usage?: UsageOverride }
    | { kind: 'empty'; usage?: UsageOverride }
    | { kind: 'error'; status: number; retryAfter?: string | number; message?: string }
    | { kind: 'unknown-model' }
    | { kind: 'malformed' }
    | { kind: 'hang' }
    | { kind: 'drop-connection' }
    | { kind: 'stall'; afterChunks: number }
  );
export type WrapStyle = 'quotes' | 'label' | 'preamble' | 'fence' | 'explanation' | 'all';

export interface RecordedRequest {
  route: Route;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
}

/** Replaces the default answer derivation: return the answer text for a chat request body. */
export type Responder = (body: ChatBody) => string;

export interface OpenAiServerOptions {
  knownModels?: string[];
  apiKey?: string;
  originPolicy?: 'ollama';
  allowOrigins?: string[];
}

export interface OpenAiTestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  chatBodies(): ChatBody[];
  enqueue(...behaviours: Behaviour[]): void;
  pending(): Behaviour[];
  setResponder(fn: Responder | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

// ---- deterministic text derivation -------------------------------------------------------------------

/** A small stoplist of its own, so the server stays independent of the code under test. */
const STOP = new Set(
  (
    'a an the and or but of in on at to for from with by as is are was were be been being it its this that ' +
    'these those you your yours he she they them their we our i me my not no so very just into over under ' +
    'about than then there here who whom which what when where why how all any some more most much many ' +
    'such can could would should will shall may might must do does did have has had also only own same ' +
    'other each both few nor too up down out off again once while if because until'
  ).split(' '),
);
/** Words of instructions (ours and task B's) that must not pass for evidence in a derived persona. */
const INSTRUCTION_WORDS = new Set(
  (
    'persona personas paragraph write writing second person user users post posts comment comments ' +
    'community communities describe description descriptions evidence text texts sentence sentences ' +
    'reddit subreddit answer output prompt prompts rewrite rewritten image images model style words word ' +
    'include avoid mention based following below above given interests interest likely hedge weak ' +
    'questionnaire question questions attributes sensitive only reply'
  ).split(' '),
);

const words = (text: string) => text.toLowerCase().match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? [];

/** Content words by frequency (ties: first occurrence), excluding stopwords and `exclude`. */
function topWords(text: string, n: number, exclude: Set<string> = new Set()): string[] {
  const counts = new Map<string, number>();
  for (const w of words(text)) {
    if (w.length < 3 || STOP.has(w) || exclude.has(w)) continue;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([w, c], i) => ({ w, c, i }))
    .sort((a, b) => b.c - a.c || a.i - b.i)
    .slice(0, n)
    .map((e) => e.w);
}

const contentOf = (m: { content: unknown } | undefined): string =>
  typeof m?.content === 'string'
    ? m.content
    : Array.isArray(m?.content)
      ? m.content.map((p: { text?: string }) => p.text ?? '').join('\n')
      : '';

function lastUser(body: ChatBody): string {
  const users = (body.messages ?? []).filter((m) => m.role === 'user');
  return contentOf(users[users.length - 1]);
}

/** The base prompt of a rewrite request, or undefined for other requests. */
export function basePromptOf(body: ChatBody): string | undefined {
  const m = /^[ \t]*(?:base|basic|original) prompt[ \t]*:[ \t]*(.+)$/im.exec(lastUser(body));
  return m?.[1]?.trim();
}

/** The style words a rewrite adds: from the persona, else from the listed examples, else generic ones. */
function styleTail(body: ChatBody, base: string): string {
  const system = contentOf((body.messages ?? []).find((m) => m.role === 'system'));
  const baseWords = new Set(words(base));
  const source = system.trim()
    ? system
    : lastUser(body)
        .split('\n')
        .filter((l) => /^\s*-\s+/.test(l))
        .join('\n');
  const style = topWords(source, 3, baseWords);
  return style.length ? style.join(', ') : 'detailed composition, soft natural light';
}

const rewriteAnswer = (body: ChatBody, base: string) => `${base}, ${styleTail(body, base)}`;

function personaAnswer(body: ChatBody): string {
  const user = lastUser(body);
  const communities = [...new Set((user.match(/\br\/[A-Za-z0-9_]+/g) ?? []).map((c) => c.toLowerCase()))].slice(0, 3);
  const exclude = new Set([...INSTRUCTION_WORDS, ...communities.map((c) => c.slice(2))]);
  const top = topWords(user, 5, exclude);
  const parts = ['You are someone who'];
  parts.push(top.length ? `cares about ${top.slice(0, 3).join(', ')}` : 'keeps an open mind');
  parts.push(communities.length ? `and spends time in ${communities.join(', ')}.` : 'and enjoys learning new things.');
  if (top.length > 3) parts.push(`You often come back to ${top.slice(3).join(' and ')}.`);
  parts.push('You appreciate images that feel personal and carefully made.');
  return parts.join(' ');
}

function deriveAnswer(body: ChatBody): string {
  const base = basePromptOf(body);
  return base === undefined ? personaAnswer(body) : rewriteAnswer(body, base);
}

function wrap(answer: string, style: WrapStyle): string {
  switch (style) {
    case 'quotes':
      return `"${answer}"`;
    case 'label':
      return `Rewritten prompt: ${answer}`;
    case 'preamble':
      return `Here is your rewritten prompt:\n\n${answer}`;
    case 'fence':
      return '```text\n' + answer + '\n```';
    case 'explanation':
      return `${answer}\n\nThis version keeps the original subject and adds atmosphere that matches your taste.`;
    case 'all':
      return `Sure! Here's the rewritten prompt:\n\n**Rewritten prompt:** "${answer}"\n\nNote: I kept the main subject and added mood.`;
  }
}

function dropSubject(body: ChatBody, only: string[] | undefined): string {
  const base = basePromptOf(body) ?? lastUser(body);
  // With every subject gone, what is left is the paper's failure: a style with no subject.
  if (!only) return `an art deco geometric pattern with gold leaf accents, ${styleTail(body, base)}`;
  const drop = new Set(only.flatMap((w) => [w.toLowerCase(), `${w.toLowerCase()}s`, `${w.toLowerCase()}es`]));
  return deriveAnswer(body)
    .split(/(\s+|,)/)
    .filter((tok) => !drop.has(tok.toLowerCase()))
    .join('')
    .replace(/\s+,/g, ',')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

// ---- protocol ----------------------------------------------------------------------------------------

const tokens = (text: string) => encode(text, { disallowedSpecial: new Set() }).length;

function usageFor(body: ChatBody, answer: string, override?: UsageOverride) {
  const prompt = (body.messages ?? []).reduce((n, m) => n + 4 + tokens(contentOf(m)), 3);
  const prompt_tokens = override?.prompt_tokens ?? prompt;
  const completion_tokens = override?.completion_tokens ?? tokens(answer);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

const errorBody = (message: string, type: string, code: string | null) => ({
  error: { message, type, param: null, code },
});

/** Hashed bag of words, L2-normalised: similar texts get similar vectors, identical texts equal ones. */
export function hashEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of words(text)) {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193) >>> 0;
    v[h % dims]! += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...v);
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  return v.map((x) => x / norm);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ollama's default allow-list (envconfig.AllowedOrigins) plus what OLLAMA_ORIGINS adds. */
function ollamaAllows(origin: string, extra: string[]): boolean {
  if (extra.includes(origin)) return true;
  if (/^https?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0)(:\d+)?$/.test(origin)) return true;
  return /^(app|file|tauri|vscode-webview|vscode-file):\/\//.test(origin);
}

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiTestServer> {
  const requests: RecordedRequest[] = [];
  let queue: Behaviour[] = [];
  let responder: Responder | undefined;
  /** Resolvers of hanging requests, released on close so the server can stop. */
  const hanging = new Set<() => void>();
  const sockets = new Set<Socket>();

  const take = (route: Route): Behaviour | undefined => {
    const i = queue.findIndex((b) => (b.route ?? 'chat') === route);
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  const hang = () => new Promise<void>((resolve) => hanging.add(resolve));
  const socketOf = (c: Context) => (c.env as { incoming?: { socket?: Socket } }).incoming?.socket;

  /** Shared gate for every route: record, auth, scripted failures. Returns a Response to send, or the behaviour. */
  async function gate(c: Context, route: Route): Promise<Response | { behaviour: Behaviour | undefined; body: unknown }> {
    const body = await requestBody(c);
    requests.push({
      route,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      headers: Object.fromEntries([...c.req.raw.headers.entries()].map(([k, v]) => [k.toLowerCase(), v])),
      body,
    });
    const origin = c.req.header('origin');
    if (options.originPolicy === 'ollama' && origin !== undefined && !ollamaAllows(origin, options.allowOrigins ?? [])) return c.body(null, 403);
    const behaviour = take(route);
    if (behaviour?.delayMs) await sleep(behaviour.delayMs);
    if (options.apiKey !== undefined && c.req.header('authorization') !== `Bearer ${options.apiKey}`) {
      return c.json(errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'), 401);
    }
    const model = (body as { model?: unknown } | undefined)?.model;
    const unknownModel =
      behaviour?.kind === 'unknown-model' ||
      (options.knownModels !== undefined && typeof model === 'string' && !options.knownModels.includes(model));
    if (unknownModel) {
      return c.json(
        errorBody(`The model \`${String(model)}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
        404,
      );
    }
    switch (behaviour?.kind) {
      case 'error': {
        const headers: Record<string, string> = {};
        if (behaviour.retryAfter !== undefined) headers['retry-after'] = String(behaviour.retryAfter);
        const type = behaviour.status === 429 ? 'rate_limit_exceeded' : behaviour.status >= 500 ? 'server_error' : 'invalid_request_error';
        return c.json(errorBody(behaviour.message ?? `scripted ${behaviour.status}`, type, type), behaviour.status as 500, headers);
      }
      case 'hang':
        await hang();
        return c.body(null, 503);
      case 'drop-connection':
        socketOf(c)?.destroy();
        await hang();
        return c.body(null, 503);
      case 'malformed':
        if (!(body as ChatBody | undefined)?.stream) {
          return c.body('{"id": "chatcmpl-broken", "choices": [{"message": {"content": "half', 200, {
            'content-type': 'application/json',
          });
        }
    }
    return { behaviour, body };
  }

  const app = new Hono();

  app.get('/v1/models', async (c) => {
    const g = await gate(c, 'models');
    if (g instanceof Response) return g;
    const ids = options.knownModels ?? ['zipp-test-model'];
    return c.json({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'zipp-test' })) });
  });

  app.post('/v1/embeddings', async (c) => {
    const g = await gate(c, 'embeddings');
    if (g instanceof Response) return g;
    const body = g.body as { input?: unknown; model?: string; dimensions?: number; encoding_format?: string };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.some((s) => typeof s !== 'string')) {
      return c.json(errorBody('input must be a string or an array of strings', 'invalid_request_error', null), 400);
    }
    const dims = body.dimensions ?? 256;
    const data = (inputs as string[]).map((text, index) => {
      const vec = hashEmbedding(text, dims);
      const embedding =
        body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
      return { object: 'embedding', index, embedding };
    });
    const prompt_tokens = (inputs as string[]).reduce((n, s) => n + tokens(s), 0);
    return c.json({ object: 'list', data, model: body.model ?? 'zipp-test-embed', usage: { prompt_tokens, total_tokens: prompt_tokens } });
  });

  app.post('/v1/chat/completions', async (c) => {
    const g = await gate(c, 'chat');
    if (g instanceof Response) return g;
    const body = (typeof g.body === 'object' && g.body ? g.body : {}) as ChatBody;
    const b = g.behaviour;
    const derived = () => (responder ? responder(body) : deriveAnswer(body));
    let answer: string;
    switch (b?.kind) {
      case 'answer':
        answer = b.text;
        break;
      case 'wrap':
        answer = wrap(derived(), b.style);
        break;
      case 'drop-subject':
        answer = dropSubject(body, b.words);
        break;
      case 'echo':
        answer = basePromptOf(body) ?? lastUser(body);
        break;
      case 'empty':
        answer = '';
        break;
      default:
        answer = derived();
    }
    const usage = usageFor(body, answer, b && 'usage' in b ? b.usage : undefined);
    const id = `chatcmpl-test${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'zipp-test-model';

    if (!body.stream) {
      return c.json({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage,
      });
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: null,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      })}\n\n`;
    const pieces = answer.match(/\S+\s*|\s+/g) ?? [];
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (s: string) => controller.enqueue(encoder.encode(s));
        send(chunk({ role: 'assistant', content: '', refusal: null }, null));
        if (b?.kind === 'malformed') {
          send('data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "ha\n\n');
          controller.close();
          return;
        }
        for (let i = 0; i < pieces.length; i++) {
          if (b?.kind === 'stall' && i === b.afterChunks) {
            await hang();
            controller.close();
            return;
          }
          send(chunk({ content: pieces[i] }, null));
        }
        send(chunk({}, 'stop'));
        if (includeUsage) {
          send(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage })}\n\n`);
        }
        send('data: [DONE]\n\n');
        controller.close();
      },
    });
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' },
    });
  });

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    else {
      server.once('listening', () => resolve());
      server.once('error', reject);
    }
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    chatBodies: () => requests.filter((r) => r.route === 'chat').map((r) => r.body as ChatBody),
    enqueue: (...behaviours) => void queue.push(...behaviours),
    pending: () => [...queue],
    setResponder: (fn) => void (responder = fn),
    reset: () => {
      queue = [];
      requests.length = 0;
      responder = undefined;
    },
    close: async () => {
      for (const release of hanging) release();
      hanging.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

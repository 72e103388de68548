import type { z } from 'zod';
import { Envelope, RPC, type RpcResponse, type RpcType } from './protocol.ts';
import { KnownError } from '../../../shared/errors.ts';
import type { ErrorBody } from './errors.ts';

export type SenderKind = 'extension' | 'content';

export interface MessageSender {
  id?: string;
  url?: string;
  tab?: { id?: number; url?: string };
}

/** Who is asking, as the router established it (never taken from the payload). */
export interface Caller {
  kind: SenderKind;
  /** The sending frame's URL (the page, for a content script). */
  url: string | undefined;
  tabId: number | undefined;
}

export type Handlers = {
  [T in RpcType]: (payload: z.output<(typeof RPC)[T]['request']>, caller: Caller) => Promise<RpcResponse<T>> | RpcResponse<T>;
};

type Answer = { ok: true; data: unknown } | { ok: false; error: ErrorBody };

/**
 * Who sent a message: one of the extension's own pages (options, popup) or a content script. Anything
 * else (another extension) gets no answer.
 */
export function senderKind(sender: MessageSender, extensionId: string, extensionOrigin: string): SenderKind | undefined {
  if (sender.id !== extensionId) return undefined;
  if (sender.url?.startsWith(extensionOrigin)) return 'extension';
  if (sender.tab) return 'content';
  return undefined;
}

function fieldError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/**
 * The background's `runtime.onMessage` handler: validates the envelope and the payload, refuses
 * extension-only requests from content scripts, runs the handler and wraps its answer or error.
 */
export function createRouter(handlers: Handlers, self: { id: string; origin: string }) {
  return async (message: unknown, sender: MessageSender): Promise<Answer | undefined> => {
    const envelope = Envelope.safeParse(message);
    if (!envelope.success) return undefined;
    const kind = senderKind(sender, self.id, self.origin);
    if (!kind) return undefined;
    // Own properties only: "__proto__", "constructor" or "toString" must not find Object.prototype's.
    if (!Object.hasOwn(RPC, envelope.data.type)) {
      return { ok: false, error: { code: 'bad-request', message: `unknown request "${envelope.data.type.slice(0, 80)}"` } };
    }
    const type = envelope.data.type as RpcType;
    const spec = RPC[type];
    if (spec.from === 'extension' && kind !== 'extension') {
      return { ok: false, error: { code: 'forbidden', message: `"${type}" is only available to ZIPP's own pages` } };
    }
    const payload = spec.request.safeParse(envelope.data.payload);
    if (!payload.success) return { ok: false, error: { code: 'bad-request', message: `${type}: ${fieldError(payload.error)}` } };
    try {
      const handler = handlers[type] as (p: unknown, c: Caller) => Promise<unknown> | unknown;
      const data = spec.response.parse(await handler(payload.data, { kind, url: sender.url, tabId: sender.tab?.id }));
      return { ok: true, data };
    } catch (err) {
      return { ok: false, error: toErrorBody(err) };
    }
  };
}

/**
 * The extension's one mapping from a failure to what its pages show: `{code, message}`, one line. (The
 * local engine tells LLM failures in the options page's terms first: lib/background/llm-errors.ts.)
 */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof KnownError) return { code: err.code, message: err.message.split('\n')[0]! };
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' && e.message ? e.message.split('\n')[0]! : String(err);
  return { code: typeof e?.code === 'string' ? e.code : 'internal', message };
}

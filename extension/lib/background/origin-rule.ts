import type { LlmConnection } from '../llm/connection.ts';

/**
 * Ollama (and other local servers built on the same CORS middleware) answer 403 to any request whose
 * `Origin` is not on their allow-list, and a service worker's `fetch` always says
 * `Origin: chrome-extension://<id>` (`moz-extension://<uuid>` in Firefox) — the failure people hit most
 * with extensions that use Ollama. ZIPP's requests come from its background with host permission, so
 * they need no CORS at all: one declarativeNetRequest *session* rule removes `Origin` from exactly those
 * requests — initiated by ZIPP itself, outside any tab, to the one server the person configured — and
 * from nothing else (pages and other hosts keep theirs). Where the browser has no such API, the
 * Connection page and the 403 error name the `OLLAMA_ORIGINS` setting that fixes it instead.
 */
export const ORIGIN_RULE_ID = 1;
/** Requests that come from no tab (the service worker's own). */
const TAB_ID_NONE = -1;

export interface SessionRule {
  id: number;
  priority: number;
  action: { type: 'modifyHeaders'; requestHeaders: { header: string; operation: 'remove' }[] };
  condition: { urlFilter: string; initiatorDomains: string[]; tabIds: number[]; resourceTypes: ('xmlhttprequest' | 'other')[] };
}

/** The part of `declarativeNetRequest` used here. */
export interface SessionRulesApi {
  updateSessionRules(update: { removeRuleIds?: number[]; addRules?: SessionRule[] }): Promise<void>;
}

export type OriginRuleState =
  /** ZIPP's requests to the configured server go without an Origin header. */
  | { state: 'active'; server: string }
  /** The connection needs no rule (OpenAI), or there is none yet. */
  | { state: 'none' }
  /** The browser cannot drop the header: the server must allow ZIPP's origin itself. */
  | { state: 'unavailable'; server: string; reason: string };

/** The server whose requests the rule covers: the OpenAI-compatible server or the ZIPP server the person set. */
export function ruleServer(connection: LlmConnection | undefined): string | undefined {
  if (connection?.kind === 'compatible') return new URL(connection.baseUrl).origin;
  if (connection?.kind === 'zipp') return new URL(connection.serverUrl).origin;
  return undefined;
}

export function originRule(server: string, extensionId: string): SessionRule {
  return {
    id: ORIGIN_RULE_ID,
    priority: 1,
    action: { type: 'modifyHeaders', requestHeaders: [{ header: 'origin', operation: 'remove' }] },
    condition: {
      // "|" anchors the filter at the start of the URL: this scheme, host and port, any path.
      urlFilter: `|${server}/`,
      initiatorDomains: [extensionId],
      tabIds: [TAB_ID_NONE],
      resourceTypes: ['xmlhttprequest', 'other'],
    },
  };
}

/** Replaces the session rule with one for the connection's server (or removes it). */
export async function syncOriginRule(api: SessionRulesApi | undefined, connection: LlmConnection | undefined, extensionId: string): Promise<OriginRuleState> {
  const server = ruleServer(connection);
  if (!api?.updateSessionRules) return server ? { state: 'unavailable', server, reason: 'this browser has no declarativeNetRequest session rules' } : { state: 'none' };
  try {
    await api.updateSessionRules({ removeRuleIds: [ORIGIN_RULE_ID], ...(server ? { addRules: [originRule(server, extensionId)] } : {}) });
  } catch (err) {
    const reason = (err as Error).message;
    return server ? { state: 'unavailable', server, reason } : { state: 'none' };
  }
  return server ? { state: 'active', server } : { state: 'none' };
}

/** The one-line fix where the rule cannot apply: let the server accept ZIPP's origin. */
export function ollamaOriginsFix(extensionOrigin: string): string {
  return `OLLAMA_ORIGINS=${extensionOrigin.replace(/\/+$/, '')}`;
}

import type { SiteRecord } from '../store/records.ts';
import { adapterForHost, type SiteAdapter } from './catalog.ts';

/** The adapter's canonical hostname ("midjourney.com" for www.midjourney.com too). */
export const primaryHost = (adapter: SiteAdapter): string => adapter.hosts.find((h) => !h.startsWith('.'))!;

/**
 * The key a page's switches, persona default and history are stored under: a supported site's
 * canonical hostname (so chat.openai.com and chatgpt.com share one history), else `location.host`
 * (host[:port]).
 */
export function siteKey(url: URL): string {
  const adapter = adapterForHost(url.hostname);
  return adapter ? primaryHost(adapter) : url.host;
}

/**
 * Whether ZIPP is on for a page. Supported sites are on unless the person turned them off; any other
 * site (generic mode: every textarea / contenteditable, on the shortcut or the button) is off until the
 * person turns it on, so ZIPP does nothing on pages they did not ask for.
 */
export function siteActivation(url: URL, record: SiteRecord | undefined) {
  const adapter = adapterForHost(url.hostname);
  return {
    host: siteKey(url),
    adapter: adapter?.id ?? 'generic',
    label: adapter?.label ?? url.host,
    active: adapter ? record?.enabled !== false : record?.enabled === true,
    capture: record?.capture === true,
  };
}

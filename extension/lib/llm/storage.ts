import { browser } from 'wxt/browser';
import { LlmConnection } from './connection.ts';

const KEY = 'llm';

type AccessLevel = 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS';
interface RestrictableArea {
  setAccessLevel?: (options: { accessLevel: AccessLevel }) => Promise<void>;
}

let restricted: Promise<boolean> | undefined;

/**
 * Makes `storage.local` (where the LLM key is) readable by ZIPP's own pages and background only. Chrome's
 * default lets content scripts read it too — so a page's renderer that got control of the content
 * script's world could ask for the key. `setAccessLevel` on `storage.local` exists in Chrome ≥ 102 and the
 * browser process enforces it; Firefox offers it for `storage.session` only (there the key stays in
 * `storage.local`, which ZIPP's content script never reads — see SECURITY.md). Resolves to whether the
 * restriction is in force. The level persists; setting it again at every start is cheap.
 */
export function restrictStorageToExtension(): Promise<boolean> {
  restricted ??= (async () => {
    const area = browser.storage.local as unknown as RestrictableArea;
    if (typeof area.setAccessLevel !== 'function') return false;
    try {
      await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
      return true;
    } catch (err) {
      console.warn('ZIPP: storage.local.setAccessLevel failed:', (err as Error).message);
      return false;
    }
  })();
  return restricted;
}

/** The saved connection, or undefined when none is saved (or the saved one no longer validates). */
export async function loadConnection(): Promise<LlmConnection | undefined> {
  const stored = (await browser.storage.local.get(KEY))[KEY];
  const parsed = LlmConnection.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

export async function saveConnection(connection: LlmConnection): Promise<void> {
  await restrictStorageToExtension();
  await browser.storage.local.set({ [KEY]: LlmConnection.parse(connection) });
}

export async function clearConnection(): Promise<void> {
  await browser.storage.local.remove(KEY);
}

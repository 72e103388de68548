import { browser } from 'wxt/browser';
import { LlmConnection } from './connection.ts';

const KEY = 'llm';

/** The saved connection, or undefined when none is saved (or the saved one no longer validates). */
export async function loadConnection(): Promise<LlmConnection | undefined> {
  const stored = (await browser.storage.local.get(KEY))[KEY];
  const parsed = LlmConnection.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

export async function saveConnection(connection: LlmConnection): Promise<void> {
  await browser.storage.local.set({ [KEY]: LlmConnection.parse(connection) });
}

export async function clearConnection(): Promise<void> {
  await browser.storage.local.remove(KEY);
}

import { browser } from 'wxt/browser';

/**
 * The chrome-extension:// (or moz-extension://) URL of a file inside the extension. WXT types getURL
 * against generated path lists; this takes any path so the modules type-check without WXT's build step.
 */
export function extensionUrl(path: string): string {
  return (browser.runtime as unknown as { getURL(p: string): string }).getURL(path);
}

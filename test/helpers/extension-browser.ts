import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { ensureExtensionBuilt } from './extension-build.ts';

/**
 * Debian's chromium with the built extension loaded unpacked (headless, as CI runs it). One launch per
 * test file; the extension id comes from its service worker's URL.
 */
export const CHROMIUM = process.env.ZIPP_CHROMIUM ?? '/usr/bin/chromium';

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  /** chrome-extension://<id>/<path> */
  url(path: string): string;
  /** Opens an extension page (options.html#…, popup.html) in a new tab. */
  open(path: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchWithExtension(options: { args?: string[] } = {}): Promise<ExtensionBrowser> {
  const extensionDir = await ensureExtensionBuilt();
  const profile = await mkdtemp(join(tmpdir(), 'zipp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 860 },
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--no-first-run',
      '--no-default-browser-check',
      ...(options.args ?? []),
    ],
  });
  const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  const url = (path: string) => `chrome-extension://${extensionId}/${path.replace(/^\//, '')}`;
  return {
    context,
    extensionId,
    worker,
    url,
    async open(path) {
      const page = await context.newPage();
      await page.goto(url(path));
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

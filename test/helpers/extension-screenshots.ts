import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from './extension-build.ts';

/**
 * Screenshots for extension/README.md, taken by the browser tests. A missing one is always written;
 * existing ones are replaced only with ZIPP_UPDATE_SCREENSHOTS=1, so a normal test run leaves the
 * committed images alone.
 */
const DOCS = join(ROOT, 'extension/docs');

export async function screenshot(target: Page | Locator, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  const file = join(DOCS, `${name}.png`);
  if (existsSync(file) && process.env.ZIPP_UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(DOCS, { recursive: true });
  await target.screenshot({ path: file, ...(clip ? { clip } : {}) });
}

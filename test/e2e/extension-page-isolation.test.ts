import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/extension-browser.ts';
import { InlineUi } from '../helpers/extension-inline-ui.ts';
import { connectLlm, enableSite, writePersona } from '../helpers/extension-setup.ts';
import { startSitesServer, type SitesServer } from '../helpers/extension-sites.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * What a web page can learn from, or do to, ZIPP — tested from page scripts in headless Chromium with the
 * built extension, the way a hostile site would try it:
 * - read the preview (the persona-shaped rewrite) while it streams, after Discard, after Accept — through
 *   the DOM, shadow roots, serialization, `window.find` + Selection, and a MutationObserver that saw
 *   everything since the page started;
 * - learn the extension id (from `message` events, the DOM) or switch the content script off with
 *   events named like WXT's;
 * - and, from ZIPP's own content script world, read the LLM key out of `storage.local`.
 */
const PERSONA = 'You paint tidal marshes in gouache and collect old maps. Herons, reed beds and low winter sun are what you look for.';
const KEY = 'sk-isolation-key-8842';
const BASE = 'a dog in a park';

let sites: SitesServer;
let llm: OpenAiTestServer;
let browser: ExtensionBrowser;
let options: Page;

/**
 * Installed before any page script (and so before the content script, which runs at document_idle):
 * records every `message` event and every DOM mutation the page can observe, and offers `__read()`,
 * everything a page script can read of the document, ZIPP's UI included if it can get in.
 */
const SPY = () => {
  const seen: string[] = [];
  const str = (v: unknown) => {
    try {
      return typeof v === 'string' ? v : JSON.stringify(v);
    } catch {
      return String(v);
    }
  };
  window.addEventListener('message', (e) => seen.push(`message ${e.origin} ${str(e.data)}`), true);
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) seen.push(`added ${n instanceof Element ? n.outerHTML : n.textContent}`);
      if (r.type === 'attributes') seen.push(`attr ${r.attributeName}=${(r.target as Element).getAttribute(r.attributeName!)}`);
      if (r.type === 'characterData') seen.push(`text ${r.target.textContent}`);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });

  const read = (probes: string[]) => {
    const out: string[] = [document.documentElement.outerHTML, document.body.innerText];
    out.push(document.body.getHTML({ serializableShadowRoots: true }));
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) out.push(`open root on ${el.tagName}: ${el.shadowRoot.innerHTML}`);
    out.push(`active ${document.activeElement?.outerHTML}`);
    // window.find() searches inside closed shadow roots and selects the match; Selection.modify can then
    // widen the selection to the whole line. Try it with the words looked for and with common letters.
    const selection = document.getSelection()!;
    for (const word of [...probes, 'a', 'e', 'o', ',']) {
      selection.removeAllRanges();
      if (!(window as unknown as { find(s: string, ...flags: boolean[]): boolean }).find(word, false, false, true)) continue;
      out.push(`found ${word}: ${selection.toString()}`);
      selection.modify('move', 'backward', 'lineboundary');
      selection.modify('extend', 'forward', 'lineboundary');
      out.push(`line ${selection.toString()}`);
    }
    selection.removeAllRanges();
    document.execCommand('selectAll');
    out.push(`all ${selection.toString()}`);
    selection.removeAllRanges();
    out.push(...seen);
    return out.join('\n');
  };
  Object.assign(window, { __read: read, __seen: seen });
};

type SpyWindow = { __read(probes: string[]): string; __seen: string[] };

async function open(url: string): Promise<Page & { ui: InlineUi }> {
  const page = await browser.context.newPage();
  await page.addInitScript(SPY);
  const ui = await InlineUi.attach(page, browser.extensionId);
  await page.goto(url);
  return Object.assign(page, { ui });
}

/** Everything the page can read, checked for each secret (returns the ones it found). */
async function readable(page: Page, secrets: string[]): Promise<string[]> {
  const text = (await page.evaluate((probes) => (window as unknown as SpyWindow).__read(probes), secrets)).toLowerCase();
  return secrets.filter((s) => text.includes(s.toLowerCase()));
}

beforeAll(async () => {
  [sites, llm] = await Promise.all([startSitesServer(), startOpenAiServer()]);
  browser = await launchWithExtension({ args: sites.browserArgs });
  options = await connectLlm(browser, llm.url);
  await options.locator('input[name="apiKey"]').waitFor();
  // connectLlm saved the helper's key; save this file's own so the storage check looks for a known value.
  await options.locator('input[name="apiKey"]').fill(KEY);
  await options.getByRole('button', { name: 'Save and test' }).click();
  await options.getByTestId('connection-saved').filter({ hasText: KEY.slice(-4) }).waitFor();
  await writePersona(options, 'Marsh painter', PERSONA);
  await enableSite(options, sites.host);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([llm?.close(), sites?.close()]);
});

describe('extension: what a page can read of ZIPP (headless Chromium, page scripts)', () => {
  it('reads nothing of the preview while it streams, after Discard, and after Accept only the accepted text, in its own box', async () => {
    const page = await open(sites.url('react-textarea'));
    const box = page.getByTestId('prompt');
    await box.click();
    await box.fill(BASE);

    // 1. Streaming: the LLM sends part of an answer and stalls; the preview shows it, the page sees none of it.
    llm.setResponder(() => `${BASE}, zephyrine marsh glow over quillwort`);
    llm.enqueue({ kind: 'stall', afterChunks: 8 });
    await page.ui.click({ testid: 'zipp-button' });
    await expect.poll(() => page.ui.text({ testid: 'zipp-stream' })).toContain('zephyrine marsh');
    expect(await readable(page, ['zephyrine', 'marsh glow', 'quillwort', PERSONA.slice(10, 30)])).toEqual([]);

    // 2. Discard: gone from the panel, and nothing of it was ever observable.
    await page.ui.click({ button: '×' });
    await page.ui.waitFor({ testid: 'zipp-panel' }, { state: 'detached' });
    expect(await readable(page, ['zephyrine', 'marsh glow'])).toEqual([]);

    // 3. A finished preview (diff, model name), then Retry: still nothing readable.
    llm.setResponder(() => `${BASE}, obsidiana lantern haze, herons in the reed beds`);
    await page.ui.click({ testid: 'zipp-button' });
    await expect.poll(() => page.ui.text({ testid: 'zipp-diff' })).toContain('obsidiana lantern haze');
    expect(await page.ui.text({ testid: 'zipp-status' })).toContain('zipp-test-model');
    // The hover card of "herons in the reed beds" holds the persona sentence behind it.
    expect((await page.ui.all({ testid: 'zipp-why' })).map((w) => w.text).join('\n')).toContain('low winter sun');
    expect(await readable(page, ['obsidiana', 'lantern haze', 'zipp-test-model', 'persona ·', 'low winter sun', 'From your persona'])).toEqual([]);
    llm.setResponder(() => `${BASE}, vermilion kite at dusk`);
    await page.ui.click({ testid: 'zipp-retry' });
    await expect.poll(() => page.ui.text({ testid: 'zipp-diff' })).toContain('vermilion kite at dusk');

    // 4. Accept: the page's box (and React's state) holds the accepted text — and that is all it got.
    await page.ui.click({ testid: 'zipp-accept' });
    await expect.poll(() => box.inputValue()).toBe(`${BASE}, vermilion kite at dusk`);
    expect(await page.getByTestId('react-state').textContent()).toBe(`${BASE}, vermilion kite at dusk`);
    expect(await readable(page, ['obsidiana', 'lantern haze', 'zephyrine', 'zipp-test-model', 'low winter sun', PERSONA.slice(10, 30)])).toEqual([]);
    llm.setResponder(undefined);
    await page.close();
  });

  it('never tells the page the extension id (no message events, nothing in the DOM)', async () => {
    const page = await open(sites.url('react-textarea'));
    const box = page.getByTestId('prompt');
    await box.click(); // generic mode: the button comes with the box the person is in
    await page.ui.waitFor({ testid: 'zipp-button' });
    const id = browser.extensionId;
    const seen = await page.evaluate(() => (window as unknown as SpyWindow).__seen.join('\n'));
    expect(seen).not.toContain(id);
    expect(seen).not.toMatch(/content-script-started|wxt/);
    expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(id);
    await page.close();
  });

  it('is not switched off or steered by events a page dispatches under the names WXT uses', async () => {
    const page = await open(sites.url('react-textarea'));
    const box = page.getByTestId('prompt');
    await box.click();
    await page.ui.waitFor({ testid: 'zipp-button' });
    const id = browser.extensionId;
    // Everything a page could send to a WXT content script to stop or steer it, by the names it would use.
    await page.evaluate((id) => {
      for (const name of ['inline', 'content']) {
        const detail = { contentScriptName: name, messageId: 'page' };
        document.dispatchEvent(new CustomEvent(`${id}:${name}:wxt:content-script-started`, { detail }));
        window.dispatchEvent(new CustomEvent(`${id}:${name}:wxt:content-script-started`, { detail }));
        window.postMessage({ type: `${id}:${name}:wxt:content-script-started`, contentScriptName: name, messageId: 'page' }, '*');
        window.dispatchEvent(new Event(`${id}:${name}:wxt:locationchange`));
      }
      (globalThis as unknown as { navigation?: EventTarget }).navigation?.dispatchEvent(new Event('currententrychange'));
    }, id);
    // (The page's own postMessage above named the id; what follows must not.)
    await page.evaluate(() => (window as unknown as SpyWindow).__seen.splice(0));
    await page.waitForTimeout(500);
    expect(await page.ui.count({ testid: 'zipp-button' })).toBe(1);
    // …and it still works.
    await box.click();
    await box.fill(BASE);
    await page.ui.click({ testid: 'zipp-button' });
    await page.ui.waitFor({ testid: 'zipp-accept' });
    await page.ui.click({ testid: 'zipp-discard' });
    expect(await page.evaluate(() => (window as unknown as SpyWindow).__seen.join('\n'))).not.toContain(id);
    await page.close();
  });

  it('keeps the LLM key out of reach of the content script (storage.local is for ZIPP’s own pages only)', async () => {
    const page = await open(sites.url('react-textarea'));
    const fromContent = await page.ui.inContentScript<{ read?: string; error?: string }>(`async () => {
      try { return { read: JSON.stringify(await chrome.storage.local.get(null)) }; }
      catch (e) { return { error: String(e && e.message) }; }
    }`);
    expect(fromContent.read ?? '').not.toContain(KEY);
    expect(fromContent.error).toMatch(/not allowed|access/i);
    // The key is there, for the background and ZIPP's pages.
    const fromOptions = await options.evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
    expect(fromOptions).toContain(KEY);
    await page.close();
  });
});

declare const chrome: { storage: { local: { get(keys: null): Promise<Record<string, unknown>> } } };

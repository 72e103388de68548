import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/extension-browser.ts';
import { connectLlm } from '../helpers/extension-setup.ts';
import { startSitesServer, type SitesServer } from '../helpers/extension-sites.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * The Connection page in headless Chromium with the built extension, against local servers that behave
 * like the ones people connect: one that refuses foreign `Origin`s the way Ollama does (403, empty body)
 * unless OLLAMA_ORIGINS lists them — which a service worker's `fetch` always sends — and what the page
 * says leaves the computer.
 */
let sites: SitesServer;
let ollama: OpenAiTestServer;
let other: OpenAiTestServer;
let browser: ExtensionBrowser;
let options: Page;

beforeAll(async () => {
  [sites, ollama, other] = await Promise.all([startSitesServer(), startOpenAiServer({ originPolicy: 'ollama' }), startOpenAiServer()]);
  browser = await launchWithExtension({ args: sites.browserArgs });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([ollama?.close(), other?.close(), sites?.close()]);
});

const chatOrigins = (server: OpenAiTestServer) => server.requests.filter((r) => r.route === 'chat').map((r) => r.headers.origin ?? null);

describe('extension: the connection (headless Chromium)', () => {
  it('the test server refuses a foreign Origin the way Ollama does', async () => {
    const ask = (origin?: string) => fetch(`${ollama.url}/models`, { headers: origin ? { origin } : {} });
    expect((await ask(`chrome-extension://${browser.extensionId}`)).status).toBe(403);
    expect((await ask('https://chatgpt.com')).status).toBe(403);
    expect((await ask('http://localhost:3000')).status).toBe(200);
    expect((await ask()).status).toBe(200);
    ollama.reset();
  });

  it('connects to an Ollama-like server without OLLAMA_ORIGINS: ZIPP’s own requests there go without an Origin', async () => {
    options = await connectLlm(browser, ollama.url);
    expect(chatOrigins(ollama)).toEqual([null]);
    await options.getByTestId('origin-note').filter({ hasText: `requests to ${new URL(ollama.url).origin} without an Origin header` }).waitFor();
  });

  it('leaves the Origin of web pages and of requests to other hosts alone', async () => {
    const page = await browser.context.newPage();
    await page.goto(sites.siteUrl('chatgpt.com'));
    const before = ollama.requests.length;
    // A CORS request (it carries the page's Origin); the 403 without CORS headers makes it fail in the page.
    const outcome = await page.evaluate((url) => fetch(`${url}/models`).then((r) => `status ${r.status}`, () => 'failed'), ollama.url);
    expect(outcome).toBe('failed');
    expect(ollama.requests.slice(before).map((r) => r.headers.origin)).toEqual(['https://chatgpt.com']);
    await page.close();
    // The background's request (a POST, as the LLM client sends) to another server keeps its Origin.
    await browser.worker.evaluate(
      (url) =>
        fetch(`${url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'zipp-test-model', messages: [{ role: 'user', content: 'ping' }] }),
        }).then((r) => r.status),
      other.url,
    );
    expect(other.requests.at(-1)?.headers.origin).toBe(`chrome-extension://${browser.extensionId}`);
  });

  it('where the rule cannot apply, the 403 names the exact OLLAMA_ORIGINS fix for this extension', async () => {
    await browser.worker.evaluate(() => (globalThis as unknown as { chrome: { declarativeNetRequest: { updateSessionRules(u: object): Promise<void> } } }).chrome.declarativeNetRequest.updateSessionRules({ removeRuleIds: [1] }));
    await options.getByRole('button', { name: 'Test again' }).click();
    const fix = `OLLAMA_ORIGINS=chrome-extension://${browser.extensionId}`;
    await expect.poll(() => options.getByRole('alert').textContent()).toContain(`restart it with ${fix} set`);
    expect(chatOrigins(ollama).at(-1)).toBe(`chrome-extension://${browser.extensionId}`);
    // Opening the page again puts the rule back.
    await options.reload();
    await options.getByTestId('origin-note').waitFor();
    await options.getByRole('button', { name: 'Test again' }).click();
    await options.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
    expect(chatOrigins(ollama).at(-1)).toBeNull();
  });

  it('says on the Connection page what leaves the computer, and to whom', async () => {
    await options.goto(browser.url('options.html#connection'));
    const flow = options.getByTestId('data-flow');
    await expect.poll(() => flow.textContent()).toContain(`the server at ${ollama.url} — on this computer`);
    expect(await flow.textContent()).toMatch(/sends the prompt and your persona.*own posts and comments, up to about 4,096 tokens/s);
    await options.getByLabel('OpenAI', { exact: true }).check();
    expect(await flow.textContent()).toContain('OpenAI (api.openai.com), with your API key');
    await options.getByLabel('OpenAI-compatible server', { exact: false }).check();
    await options.locator('input[name="baseUrl"]').fill('https://llm.example.org/v1');
    expect(await flow.textContent()).toContain('https://llm.example.org/v1 — whoever runs that server receives them');
  });
});

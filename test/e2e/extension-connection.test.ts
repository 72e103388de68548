import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/extension-browser.ts';
import { InlineUi } from '../helpers/extension-inline-ui.ts';
import { installLanguageModel, type FakeLanguageModelConfig, type FakeLanguageModelState } from '../helpers/extension-language-model.ts';
import { connectLlm, enableSite, writePersona } from '../helpers/extension-setup.ts';
import { startSitesServer, type SitesServer } from '../helpers/extension-sites.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * The Connection page in headless Chromium with the built extension, against local servers that behave
 * like the ones people connect: one that refuses foreign `Origin`s the way Ollama does (403, empty body)
 * unless OLLAMA_ORIGINS lists them — which a service worker's `fetch` always sends —, the browser's
 * built-in model (Chrome's Prompt API, installed by the test in the documented shape: Debian's chromium
 * has none), and what the page says leaves the computer.
 */
const PERSONA = 'You photograph tide pools at low tide; barnacles, kelp and cold morning light are what you look for.';
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

  describe('on this device (the browser’s built-in model)', () => {
    const lm = () => browser.worker.evaluate(() => (globalThis as unknown as { __languageModel: FakeLanguageModelState }).__languageModel);
    const configure = (patch: Partial<FakeLanguageModelConfig>) =>
      browser.worker.evaluate((p) => Object.assign((globalThis as unknown as { __languageModel: FakeLanguageModelState }).__languageModel.config, p), patch);

    it('explains plainly when the browser does not offer a built-in model', async () => {
      await options.goto(browser.url('options.html#connection'));
      await options.getByLabel('On this device', { exact: false }).check();
      const box = options.getByTestId('on-device');
      // Debian's chromium has the API (LanguageModel) and no model: availability() says "unavailable".
      await expect.poll(() => box.getAttribute('data-state')).toBe('unavailable');
      expect(await box.textContent()).toMatch(/^This browser has the Prompt API but no built-in model it can run here: Chromium builds ship none/);
      expect(await options.getByRole('button', { name: 'Save and test' }).isDisabled()).toBe(true);
      expect(await options.getByTestId('data-flow').textContent()).toContain('Nothing. The browser');
    });

    it('downloads the model with a progress bar, connects, and rewrites with the persona as the system prompt — nothing leaves', async () => {
      // The browser keeps one model for every context: the page and the service worker each get the API.
      await browser.worker.evaluate(installLanguageModel, { availability: 'downloadable' } as FakeLanguageModelConfig);
      const page = await browser.context.newPage();
      await page.addInitScript(installLanguageModel, { availability: 'downloadable', downloadStepMs: 250 } as FakeLanguageModelConfig);
      await page.goto(browser.url('options.html#connection'));
      await options.close();
      options = page;
      await options.getByLabel('On this device', { exact: false }).check();
      await options.getByRole('button', { name: 'Download the model' }).click();
      const bar = options.getByTestId('on-device-progress');
      await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(0.2);
      expect(Number(await bar.getAttribute('value'))).toBeLessThan(1);
      await expect.poll(() => options.getByTestId('on-device').getAttribute('data-state'), { timeout: 10_000 }).toBe('available');
      // The download the page started is the browser's: the service worker sees the model too.
      await configure({ availability: 'available' });
      await options.getByRole('button', { name: 'Save and test' }).click();
      await options.getByTestId('connection-status').filter({ hasText: 'Connected: built-in model (on this device) answered.' }).waitFor();
      await writePersona(options, 'Tide pool photographer', PERSONA);
      await enableSite(options, sites.host);

      const before = ollama.requests.length + other.requests.length;
      const tab = await browser.context.newPage();
      const ui = await InlineUi.attach(tab, browser.extensionId);
      await tab.goto(sites.url('react-textarea'));
      const box = tab.getByTestId('prompt');
      await box.click();
      await box.fill('a crab on a rock');
      await ui.click({ testid: 'zipp-button' });
      await ui.waitFor({ testid: 'zipp-accept' });
      expect(await ui.text({ testid: 'zipp-status' })).toBe('persona · built-in model (on this device)');
      await ui.click({ testid: 'zipp-accept' });
      await expect.poll(() => box.inputValue()).toMatch(/^a crab on a rock, .*(barnacles|kelp|tide|pools)/);
      const session = (await lm()).sessions.at(-1)!;
      expect(session.initialPrompts).toEqual([{ role: 'system', content: PERSONA }]);
      expect(session).toMatchObject({ temperature: 0.7, topK: 3, expectedOutputs: [{ type: 'text', languages: ['en'] }], destroyed: true });
      expect(session.prompts[0]).toMatch(/Base prompt: a crab on a rock$/);
      expect(ollama.requests.length + other.requests.length).toBe(before);

      // Discard while it streams aborts the model's answer.
      await configure({ stallAfterChunks: 3 });
      await box.fill('a starfish in a pool');
      await ui.click({ testid: 'zipp-button' });
      await expect.poll(() => ui.text({ testid: 'zipp-stream' })).toContain('a starfish in');
      await ui.click({ button: '×' });
      await expect.poll(async () => (await lm()).aborted).toBe(1);

      // Failures come back as one line that says what to do.
      await configure({ stallAfterChunks: undefined, inputQuota: 10 });
      await ui.click({ testid: 'zipp-button' });
      expect(await ui.text({ testid: 'zipp-error' })).toBe('the persona and prompt are longer than the built-in model takes: shorten the persona, or use another provider');
      await configure({ inputQuota: undefined, availability: 'downloadable' });
      await ui.click({ button: 'Try again' });
      await expect.poll(() => ui.text({ testid: 'zipp-error' })).toBe('the built-in model is not downloaded yet: download it from ZIPP options → Connection → On this device');
      await tab.close();
    });
  });
});

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirefoxExtensionBuilt, EXTENSION_SRC, ROOT } from '../helpers/extension-build.ts';
import { startSitesServer, type SitesServer } from '../helpers/extension-sites.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * The Firefox build, for real: Mozilla's addons-linter (`web-ext lint`) on it, then Debian's firefox-esr
 * driven over WebDriver BiDi (puppeteer-core, no browser download): install the add-on, connect the test
 * LLM and write a persona on the options page, rewrite in a fixture prompt box with the shortcut, accept
 * with Enter, undo with Ctrl+Z.
 */
export const FIREFOX = process.env.ZIPP_FIREFOX ?? '/usr/bin/firefox-esr';
const GECKO_ID = 'zipp-extension@zipp.invalid';
/** Fixed through `extensions.webextensions.uuids`, so the test knows the add-on's moz-extension:// origin. */
const UUID = '3f0c6a2e-9d41-4b7a-8e25-6c1f0b9d4a71';
const PERSONA = 'You photograph foggy harbours on expired film; harbours, fog and film grain are what you look for.';

/**
 * The linter's warnings that come from libraries bundled into the build, not from ZIPP's code (which
 * has no innerHTML, eval or Function: checked below). Each one: the code, the chunk, and why.
 */
const BUNDLED_WARNINGS = [
  { code: 'UNSAFE_VAR_ASSIGNMENT', message: /innerHTML/, file: /^(chunks\/page-[\w-]+|content-scripts\/inline)\.js$/, why: "react-dom's property setter (dangerouslySetInnerHTML support)" },
  { code: 'DANGEROUS_EVAL', message: /Function constructor/, file: /^chunks\/load-[\w-]+\.js$/, why: "onnxruntime-web's Emscripten glue" },
  { code: 'UNSAFE_VAR_ASSIGNMENT', message: /import/, file: /^chunks\/load-[\w-]+\.js$/, why: "onnxruntime-web's loader (a dynamic import it never takes: the binary is handed over as bytes)" },
];

interface LintMessage {
  code: string;
  message: string;
  file?: string;
}

function lint(dir: string): Promise<{ errors: LintMessage[]; warnings: LintMessage[]; notices: LintMessage[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules/web-ext/bin/web-ext.js'), 'lint', '--source-dir', dir, '--output', 'json', '--no-input'],
      { cwd: ROOT, maxBuffer: 16 * 2 ** 20, timeout: 120_000 },
      (err, stdout) => {
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(err ?? new Error(`web-ext lint printed no JSON: ${stdout.slice(0, 500)}`));
        }
      },
    );
  });
}

let out: string;
/** Started as soon as the build is there, so the linter runs while Firefox starts and the flow runs. */
let linted: ReturnType<typeof lint>;
let sites: SitesServer;
let llm: OpenAiTestServer;
let firefox: Browser;
let profile: string;

beforeAll(async () => {
  [out, sites, llm] = await Promise.all([ensureFirefoxExtensionBuilt(), startSitesServer(), startOpenAiServer()]);
  linted = lint(out);
  linted.catch(() => {}); // awaited (and reported) by its test
  profile = await mkdtemp(join(tmpdir(), 'zipp-firefox-'));
  firefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }),
      // MV3 host permissions are opt-in in Firefox; a person grants them when installing, this profile up front.
      'extensions.originControls.grantByDefault': true,
    },
  });
  await firefox.installExtension(out);
}, 240_000);

afterAll(async () => {
  await firefox?.close();
  await Promise.all([llm?.close(), sites?.close()]);
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** Opens a page; an extension page replaces the tab's document (Firefox switches process), which puppeteer reports as a detached frame. */
async function open(url: string): Promise<Page> {
  const page = await firefox.newPage();
  // Waiting for "load" of a moz-extension:// page never ends in puppeteer; the check below is what counts.
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 }).catch((err: Error) => {
    if (!/detached|timeout/i.test(err.message)) throw err;
  });
  // Polled with evaluate: waitForFunction compiles its predicate with Function(), which an extension page's CSP refuses.
  await expect.poll(() => page.evaluate(() => [location.href, document.readyState].join(' ')), { timeout: 30_000 }).toBe(`${url} complete`);
  return page;
}

const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent ?? '');

describe('extension in Firefox (firefox-esr over WebDriver BiDi)', () => {
  it('installs, is set up on its options page, rewrites in a prompt box with the shortcut, and undoes', async () => {
    const options = await open(`moz-extension://${UUID}/options.html#connection`);
    // Firefox has no built-in model API: the Connection page says so plainly.
    await options.click('input[name="kind"][value="on-device"]');
    await options.waitForSelector('[data-testid="on-device"][data-state="missing"]');
    expect(await text(options, '[data-testid="on-device"]')).toMatch(/^This browser does not offer a built-in language model/);

    await options.click('input[name="kind"][value="compatible"]');
    await options.type('input[name="baseUrl"]', llm.url);
    await options.type('input[name="model"]', 'zipp-test-model');
    await options.click('::-p-text(Save and test)');
    await options.waitForSelector('::-p-text(Connected: zipp-test-model answered.)');

    await options.evaluate(() => (location.hash = 'personas'));
    await options.click('::-p-text(Write a persona)');
    await options.type('input[name="name"]', 'Harbour film photographer');
    await options.type('textarea[name="text"]', PERSONA);
    await options.click('::-p-text(Save persona)');
    await options.waitForSelector('[data-testid="persona-card"]');

    await options.evaluate(() => (location.hash = 'sites'));
    await options.type('input[aria-label="Site to turn ZIPP on for"]', sites.host);
    await options.click('::-p-text(Turn on)');
    await options.waitForSelector(`[data-testid="site-${sites.host}"]`);

    const page = await open(sites.url('react-textarea'));
    const box = '[data-testid="prompt"]';
    await page.click(box);
    await page.type(box, 'a dog in a park');
    const before = llm.chatBodies().length;
    await page.keyboard.down('Alt');
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyR');
    await page.keyboard.up('Shift');
    await page.keyboard.up('Alt');
    // The LLM got the persona as the system prompt; the preview (closed shadow root) focuses Accept when ready.
    await expect.poll(() => llm.chatBodies().length, { timeout: 30_000 }).toBe(before + 1);
    expect(String(llm.chatBodies().at(-1)!.messages![0]!.content)).toContain('foggy harbours');
    const log = await open(`moz-extension://${UUID}/options.html#history`);
    await log.waitForSelector('::-p-text(pending)', { timeout: 30_000 });
    await log.close();
    await page.bringToFront();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName.toLowerCase()), { timeout: 10_000 }).toMatch(/^zipp-/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => window.fixture.modelText()), { timeout: 10_000 }).toMatch(/^a dog in a park, .*(harbours|fog|film)/);
    expect(await page.$eval(box, (el) => (el as HTMLTextAreaElement).value)).toBe(await page.evaluate(() => window.fixture.modelText()));

    await page.focus(box);
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyZ');
    await page.keyboard.up('Control');
    await expect.poll(() => page.evaluate(() => window.fixture.modelText())).toBe('a dog in a park');
    await page.close();
    await options.close();
  }, 120_000);

  it('passes web-ext lint: no errors, and only warnings from bundled libraries', async () => {
    const result = await linted;
    expect(result.errors).toEqual([]);
    for (const w of result.warnings) {
      expect(
        BUNDLED_WARNINGS.some((b) => b.code === w.code && b.message.test(w.message) && b.file.test(w.file ?? '')),
        `${w.code} in ${w.file}: ${w.message}`,
      ).toBe(true);
    }
    // …and ZIPP's own code has none of what they point at.
    const own = readdirSync(EXTENSION_SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|tsx)$/.test(f) && !/^(\.output|\.wxt|node_modules)\//.test(f));
    for (const file of own) expect(readFileSync(join(EXTENSION_SRC, file), 'utf8'), file).not.toMatch(/innerHTML|dangerouslySetInnerHTML|\beval\(|new Function\(/);
  }, 120_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAiTestServer } from '../helpers/openai-server.ts';
import { watchCsp } from '../helpers/csp.ts';
import { PROCESS_TOKEN, startZippWithLlm, type ZippProcess } from '../helpers/server-process.ts';

/**
 * The dashboard in real headless Debian Chromium against the real `zipp serve` process (which builds the
 * dashboard with Vite first when its build is missing or stale): status and configuration, the persona
 * playground end to end, and the job list's live progress.
 */
let running: Awaited<ReturnType<typeof startZippWithLlm>>;
let llm: OpenAiTestServer;
let zipp: ZippProcess;
let browser: Browser;

const ENDPOINT_KEY = 'sk-or-dashboard-secret-42';
let endpointsDir: string;

beforeAll(async () => {
  // Named LLM endpoints as an operator sets them: one keyless from a flag, one with a key from a file.
  endpointsDir = mkdtempSync(path.join(os.tmpdir(), 'zipp-dash-endpoints-'));
  const file = path.join(endpointsDir, 'endpoints.json');
  writeFileSync(file, JSON.stringify({ llms: { openrouter: { baseUrl: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OR_DASHBOARD_KEY', models: ['meta-llama/llama-3.1-70b-instruct', 'qwen/qwen-2.5-72b-instruct'] } } }));
  running = await startZippWithLlm({
    dashboard: true,
    args: ['--engine', 'comfyui=http://127.0.0.1:8188', '--llm', 'local=http://127.0.0.1:11434/v1', '--endpoints', file],
    env: { OR_DASHBOARD_KEY: ENDPOINT_KEY },
  });
  ({ llm, zipp } = running);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], headless: true });
});
afterAll(async () => {
  await browser?.close();
  await running?.close();
  if (endpointsDir) rmSync(endpointsDir, { recursive: true, force: true });
});

/** Every CSP violation any dashboard page of these tests raised. */
const cspViolations: string[] = [];

async function open(hash = `#token=${PROCESS_TOKEN}`): Promise<Page> {
  const page = await browser.newPage();
  await watchCsp(page, cspViolations);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${zipp.url}/${hash}`);
  return Object.assign(page, { problems });
}

describe('dashboard', () => {
  it('is bundled from its sources by the server itself on the first request, and served at /', async () => {
    const page = await fetch(`${zipp.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${zipp.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    expect(await js.text()).toContain('/v1/personas/infer'); // the playground's code, from src/
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect((await fetch(`${zipp.url}${css}`)).headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(`${zipp.url}/assets/dashboard-000000000000.js`)).status).toBe(404); // another build's name
  });

  it('asks for a token, refuses a wrong one, and keeps the right one out of the address bar', async () => {
    const page = await open('');
    await page.getByLabel('API token').fill('zipp_not_the_token_000000000');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/wrong bearer token/);
    await page.getByLabel('API token').fill(PROCESS_TOKEN);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByTestId('llm-status').textContent()).toMatch(/configured/);
    await page.close();

    const linked = await open();
    await expect.poll(() => linked.getByTestId('llm-status').textContent()).toMatch(/zipp-test-model/);
    expect(new URL(linked.url()).hash).toBe('');
    await linked.close();
  });

  it('shows health and configuration: LLM, encoder, image engines', async () => {
    const page = await open();
    await expect.poll(() => page.getByTestId('llm-status').textContent()).toContain(`zipp-test-model at ${llm.url}`);
    expect(await page.getByTestId('engines-status').textContent()).toContain('comfyui http://127.0.0.1:8188');
    expect(await page.getByTestId('encoder-status').textContent()).toMatch(/loaded|not loaded/);
    expect(await page.getByTestId('status').textContent()).toMatch(/version 0\.1\.0/);
    await page.close();
  });

  it('lists the LLM endpoints a benchmark may pick by name, with whether a key goes along, never the key', async () => {
    const page = await open();
    const list = page.getByTestId('llm-endpoints').getByRole('listitem');
    await expect.poll(() => list.count()).toBe(3);
    expect(await list.allTextContents()).toEqual([
      `default: zipp-test-model at ${llm.url} · with its key`,
      'openrouter: no default model at https://openrouter.ai/api/v1 · only meta-llama/llama-3.1-70b-instruct, qwen/qwen-2.5-72b-instruct · with its key',
      'local: model named by the request at http://127.0.0.1:11434/v1 · no key',
    ]);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(ENDPOINT_KEY);
    expect(text).not.toContain('OR_DASHBOARD_KEY');
    expect(text).not.toContain('sk-test');
    await page.close();
  });

  it('shows a batch job with live progress until it succeeds', async () => {
    const page = await open();
    await expect.poll(() => page.getByRole('heading', { name: /Jobs/ }).textContent()).toMatch(/live/);
    llm.enqueue(...Array.from({ length: 4 }, () => ({ kind: 'default' as const, delayMs: 300 })));
    const { body: job } = await zipp.json('POST', '/v1/rewrite/batch', {
      items: ['a red fox', 'an old bridge', 'a bowl of ramen', 'a paper kite'].map((prompt) => ({ prompt, method: 'baseline' })),
      concurrency: 1,
    });
    const row = page.locator(`tr[data-job="${job.id}"]`);
    // Seen while running, with partial progress, then finished.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('running');
    await expect.poll(async () => row.getByTestId('progress-text').textContent(), { timeout: 10_000 }).toMatch(/^[123]\/4/);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    expect(await row.getByTestId('progress-text').textContent()).toMatch(/^4\/4 \(100%\)/);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('playground: communities → ranked attention → verbalized persona → rewrites without and with it', async () => {
    const page = await open();
    await page.getByLabel(/Communities you take part in/).fill('analog:40, photography:25, hiking:8');
    await page.getByRole('button', { name: 'Rank with the encoder' }).click();
    const bars = page.getByTestId('attention-bars').locator('li');
    await expect.poll(() => bars.count()).toBe(3);
    const labels = await page.getByTestId('attention-bars').locator('.bar-label').allTextContents();
    expect(labels.map((l) => l.toLowerCase()).sort()).toEqual(['r/analog', 'r/hiking', 'r/photography']);

    await page.getByRole('button', { name: 'Verbalize persona' }).click();
    await expect.poll(() => page.getByTestId('persona').inputValue(), { timeout: 15_000 }).toMatch(/^You /);
    // The persona request carried the ranked communities as weights.
    const verbalize = llm.chatBodies().at(-1)!;
    expect(JSON.stringify(verbalize.messages)).toMatch(/analog/);

    await page.getByTestId('persona').fill('You photograph lighthouses in the fog along the northern coast.');
    await page.getByLabel('3. Prompt').fill('a dog in a park');
    await page.getByRole('button', { name: 'Rewrite without / with persona' }).click();
    await expect.poll(() => page.getByTestId('rewrite-with').textContent(), { timeout: 15_000 }).toMatch(/dog in a park.*lighthouse/);
    const without = await page.getByTestId('rewrite-without').textContent();
    expect(without).toMatch(/dog in a park/);
    expect(without).not.toMatch(/lighthouse/);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await page.close();
  });

  it('runs under a strict CSP (no inline script, same-origin only) and is never framed: no page above raised a violation', async () => {
    const page = await fetch(`${zipp.url}/`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(cspViolations).toEqual([]);
    // The watch is live: an inline script injected into the page is blocked and reported.
    const probe = await open();
    await probe.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__ran = true';
      document.body.append(script);
    });
    await expect.poll(() => cspViolations.length).toBe(1);
    expect(cspViolations[0]).toMatch(/script-src/);
    expect(await probe.evaluate(() => (window as unknown as { __ran?: boolean }).__ran)).toBeUndefined();
    await probe.close();
  });
});

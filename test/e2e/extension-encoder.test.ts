import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUGGESTION_RANKING, type CommunityEncoder } from '../../shared/encoder/encoder.ts';
import type { CommunityActivity } from '../../shared/schemas/community.ts';
import { loadEncoder } from '../../server/encoder/load.ts';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/extension-browser.ts';
import { EXTENSION_MODEL, ROOT } from '../helpers/extension-build.ts';
import { screenshot } from '../helpers/extension-screenshots.ts';
import { connectLlm } from '../helpers/extension-setup.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';

/**
 * The community encoder inside the extension (onnxruntime-web in the options page) on WebAssembly and,
 * with `--enable-unsafe-webgpu` (a software adapter on this machine), on WebGPU: both must rank a real
 * user's communities — and suggest the same communities — as onnxruntime-node does with the same model.
 * Then the whole "infer a persona" path: paste or Reddit export → ranking → LLM → draft with evidence.
 */
const EXPORT_DIR = join(ROOT, 'test/fixtures/extension/reddit-export');

/** The user of the vendored interaction graph with the most communities (a real, deterministic pick). */
function busiestUser(): CommunityActivity[] {
  const rows = readFileSync(join(ROOT, 'models/data/reddit/interactions.csv'), 'utf8').trim().split('\n').slice(1);
  const byUser = new Map<string, CommunityActivity[]>();
  for (const row of rows) {
    const [user, community, comments] = row.split(',');
    const list = byUser.get(user!) ?? [];
    list.push({ name: community!.toLowerCase(), posts: 0, comments: Number(comments) });
    byUser.set(user!, list);
  }
  const [best] = [...byUser.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  return best![1];
}

let llm: OpenAiTestServer;
let browser: ExtensionBrowser;
let options: Page;
let node: CommunityEncoder;
const user = busiestUser();

beforeAll(async () => {
  llm = await startOpenAiServer();
  [browser, node] = await Promise.all([launchWithExtension({ args: ['--enable-unsafe-webgpu'] }), loadEncoder(EXTENSION_MODEL, { threads: 1 })]);
  options = await connectLlm(browser, llm.url);
}, 240_000); // the first test file to get here builds the extension

afterAll(async () => {
  await browser?.close();
  await llm?.close();
});

async function rankInExtension(backend: 'wasm' | 'webgpu', list: CommunityActivity[]) {
  await options.goto(browser.url('options.html#preferences'));
  await options.getByTestId('backend-pref').selectOption(backend);
  await options.goto(browser.url('options.html#infer'));
  await options.getByRole('tab', { name: 'Paste a list' }).click();
  await options.getByTestId('infer-paste').fill(list.map((c) => `r/${c.name} ${c.posts} posts ${c.comments} comments`).join('\n'));
  await options.getByTestId('infer-run').click();
  const label = options.getByTestId('encoder-backend');
  await label.waitFor({ timeout: 60_000 });
  return {
    backend: await label.getAttribute('data-backend'),
    text: (await label.textContent()) ?? '',
    ranked: (await options.getByTestId('ranked-communities').locator('th').allTextContents()).map((t) => t.replace(/^r\//, '').toLowerCase()),
    weights: (await options.getByTestId('ranked-communities').locator('td.num').allTextContents()).map((t) => Number(t.replace('%', ''))),
    suggested: await options.getByTestId('suggestions').locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-name'))),
    ranking: (await options.getByTestId('suggestions-ranking').textContent()) ?? '',
  };
}

describe('extension: the community encoder in the browser', () => {
  it.each(['wasm', 'webgpu'] as const)('ranks a real user’s communities on %s exactly as onnxruntime-node does', async (backend) => {
    const [expected] = await node.encode([user]);
    const suggestions = node.suggest(expected!, 10).map((s) => s.name);
    const got = await rankInExtension(backend, user);
    expect(got.backend).toBe(backend);
    expect(got.text).toMatch(backend === 'webgpu' ? /WebGPU/ : /WebAssembly/);
    expect(got.ranked).toEqual(expected!.communities.map((c) => c.label.toLowerCase()));
    // Shown to one decimal of a percent; float32 kernels may round the last digit the other way.
    expected!.communities.forEach((c, i) => expect(Math.abs(got.weights[i]! - c.importance * 100)).toBeLessThanOrEqual(0.051));
    expect(got.suggested).toEqual(suggestions);
    expect(got.ranking).toBe(`Ranked ${SUGGESTION_RANKING}.`);
  });

  it('warms the encoder when the page opens, before any click', async () => {
    const page = await browser.open('options.html#infer');
    await expect.poll(() => page.getByTestId('infer').getAttribute('data-warm'), { timeout: 60_000 }).toBe('ready');
    await page.close();
  });

  it('writes a persona from a pasted list, showing the evidence, and saves it', async () => {
    const hobbies = ['photography', 'woodworking', 'cooking', 'cycling', 'askhistorians', 'analog', 'gardening', 'hiking'];
    await rankInExtension('wasm', hobbies.map((name, i) => ({ name, posts: i % 3, comments: 40 - 4 * i })));
    await screenshot(options, 'persona-inference');
    await options.getByTestId('infer-write').click();
    const evidence = options.getByTestId('persona-evidence');
    await evidence.waitFor();
    expect(await evidence.getByTestId('attention-bars').locator('tr').count()).toBeGreaterThan(0);
    const text = await options.locator('textarea[name="text"]').inputValue();
    expect(text).toMatch(/^You /);
    await options.getByRole('button', { name: 'Save persona' }).click();
    await options.getByTestId('persona-card').filter({ hasText: 'inferred from communities' }).waitFor();
  });

  it('reads a Reddit data export, ranks its communities and writes the persona from the person’s own texts', async () => {
    await options.goto(browser.url('options.html#infer'));
    await options.getByRole('tab', { name: 'Reddit data export' }).click();
    await options.getByTestId('export-files').setInputFiles([join(EXPORT_DIR, 'comments.csv'), join(EXPORT_DIR, 'posts.csv')]);
    expect(await options.getByTestId('export-summary').textContent()).toBe('9 comments and 2 posts in 5 communities.');
    await options.getByTestId('infer-run').click();
    await options.getByTestId('encoder-backend').waitFor();
    expect((await options.getByTestId('ranked-communities').locator('th').allTextContents()).length).toBe(5);
    await options.getByTestId('infer-write').click();
    const evidence = options.getByTestId('persona-evidence');
    await evidence.waitFor();
    // The person's own words went to the LLM and are listed as evidence; the deleted comment did not.
    const prompt = String(llm.chatBodies().at(-1)!.messages!.at(-1)!.content);
    expect(prompt).toContain('dovetails in white oak');
    expect(prompt).not.toContain('[deleted]');
    expect(await evidence.locator('.evidence-items li').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('dovetails in white oak')]));
    await options.getByRole('button', { name: 'Save persona' }).click();
    await options.getByTestId('persona-card').filter({ hasText: 'inferred from your Reddit export' }).waitFor();
  });

  it('never sends an NSFW community, or the person’s texts in it, to the LLM', async () => {
    await options.goto(browser.url('options.html#infer'));
    await options.getByRole('tab', { name: 'Reddit data export' }).click();
    await options.getByTestId('export-files').setInputFiles([join(ROOT, 'test/fixtures/extension/reddit-export-nsfw/comments.csv')]);
    expect(await options.getByTestId('export-summary').textContent()).toBe('5 comments and 0 posts in 3 communities.');
    await options.getByTestId('infer-run').click();
    await options.getByTestId('encoder-backend').waitFor();
    const before = llm.chatBodies().length;
    await options.getByTestId('infer-write').click();
    await options.getByTestId('persona-evidence').waitFor();
    const sent = JSON.stringify(llm.chatBodies().slice(before)).toLowerCase();
    expect(sent).toContain('cherry boards'); // the person's other texts did go
    expect(sent).not.toContain('askredditafterdark');
    expect(sent).not.toContain('late night');
    expect(sent).not.toContain('lighthouse keeper');
    expect(await options.getByTestId('persona-warnings').textContent()).toMatch(/left out 1 NSFW community and their texts: askredditafterdark/);
    await options.getByRole('button', { name: 'Cancel' }).click();
  });
});

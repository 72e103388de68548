import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binomialTestTwoSided } from '../../shared/metrics/binomial.ts';
import { watchCsp } from '../helpers/csp.ts';
import { startComfyUiServer, type ComfyTestServer } from '../helpers/comfyui-server.ts';
import { startOpenAiServer, type OpenAiTestServer } from '../helpers/openai-server.ts';
import { startTestZipp, TEST_TOKEN, type TestZipp } from '../helpers/server-app.ts';

/**
 * The A/B study in real headless Debian Chromium, served by the real ZIPP server (LLM and ComfyUI test
 * servers behind it): the questionnaire → the persona the LLM writes from it → six blind trials with
 * counterbalanced sides → the choices stored in the data directory's study.db → win rates and exact
 * binomial p-values in the token-protected results (JSON, Markdown, HTML).
 */
const fixtures = new URL('../fixtures/', import.meta.url);
const answers = JSON.parse(readFileSync(new URL('persona/questionnaire.json', fixtures), 'utf8')) as Record<string, string>;
let llm: OpenAiTestServer;
let comfy: ComfyTestServer;
let zipp: TestZipp;
let browser: Browser;

beforeAll(async () => {
  [llm, comfy] = await Promise.all([startOpenAiServer(), startComfyUiServer({ runningPolls: 0 })]);
  zipp = await startTestZipp({ env: { ZIPP_LLM_BASE_URL: llm.url, ZIPP_LLM_MODEL: 'zipp-test-model' } });
  const study = JSON.parse(readFileSync(new URL('bench/study.json', fixtures), 'utf8')) as { engines: { main: { urls: string[] } } };
  study.engines.main.urls = [comfy.url];
  mkdirSync(join(zipp.dataDir, 'studies'));
  writeFileSync(join(zipp.dataDir, 'studies', 'pilot.json'), JSON.stringify(study));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], headless: true });
});
afterAll(async () => {
  await browser?.close();
  await zipp?.close();
  await Promise.all([llm?.close(), comfy?.close()]);
});

async function fillQuestionnaire(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const radio = page.locator(`input[type=radio][name="${name}"][value="${value}"]`);
    if (await radio.count()) await radio.check();
    else await page.locator(`[name="${name}"]`).fill(value);
  }
}

describe('A/B study in the browser', () => {
  it('questionnaire → persona → blind trials → stored results → win rates in the report', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await watchCsp(page, problems);
    await page.goto(`${zipp.url}/study/pilot`);
    await expect.poll(() => page.locator('form fieldset').count()).toBe(10);

    // A bad answer comes back as the server's one line, naming the question; the form keeps its values.
    await fillQuestionnaire(page, { ...answers, personalityWords: 'curious' });
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/personalityWords: give at least 3 personality words/);
    expect(await page.locator('[name=profession]').inputValue()).toBe(answers.profession);

    await page.locator('[name=personalityWords]').fill(answers.personalityWords!);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('[data-state=trial]').count(), { timeout: 20_000 }).toBe(1);
    // The persona came from the LLM, asked with the answers.
    expect(llm.chatBodies().some((b) => JSON.stringify(b.messages).includes('hospital pharmacist'))).toBe(true);

    const shown: { prompt: string; left: string; right: string }[] = [];
    for (let i = 1; i <= 6; i++) {
      await expect.poll(() => page.locator('[data-state=trial]').getAttribute('data-position')).toBe(String(i));
      await page.waitForFunction(() => [...document.images].length === 2 && [...document.images].every((img) => img.complete && img.naturalWidth > 0));
      const [left, right] = await page.locator('img').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).src));
      const text = (await page.locator('main').textContent())!;
      // Blind: no method, arm or condition name anywhere on the page or in the image URLs.
      expect(`${text} ${left} ${right}`).not.toMatch(/persona|baseline|fewshot|retrieval|static|ZIPP|TV \(|condition/i);
      shown.push({ prompt: (await page.locator('.prompt').textContent())!, left: left!, right: right! });
      // Always pick the left picture: with counterbalanced sides that favours no arm.
      await page.getByRole('button', { name: 'Image A' }).click();
    }
    await expect.poll(() => page.locator('[data-state=done]').count()).toBe(1);
    expect(problems).toEqual([]);

    // Stored: one participant with the LLM's persona, six chosen trials, arms as planned.
    const db = new Database(join(zipp.dataDir, 'study.db'), { readonly: true });
    const participant = db.prepare('SELECT * FROM participants').get() as { persona: string; answers: string; finished_at: string | null };
    expect(participant.persona).toMatch(/^You /);
    expect(JSON.parse(participant.answers)).toMatchObject({ profession: 'hospital pharmacist' });
    expect(participant.finished_at).not.toBeNull();
    const trials = db.prepare('SELECT * FROM trials ORDER BY idx').all() as { condition: string; left_arm: 'a' | 'b'; choice: string; winner: string; prompt: string; a_ref: string; b_ref: string }[];
    db.close();
    expect(trials.map((t) => t.choice)).toEqual(Array(6).fill('left'));
    expect(trials.map((t) => t.winner)).toEqual(trials.map((t) => t.left_arm));
    expect(trials.map((t) => t.prompt)).toEqual(shown.map((s) => s.prompt));
    expect(shown.map((s) => s.left)).toEqual(trials.map((t) => expect.stringContaining(t.left_arm === 'a' ? t.a_ref : t.b_ref)));
    // Two-trial conditions put A on the left exactly once.
    for (const c of ['persona-vs-none', 'own-vs-other']) expect(trials.filter((t) => t.condition === c && t.left_arm === 'a')).toHaveLength(1);

    // Results need the token; they count each condition's wins for A and test them exactly.
    expect((await fetch(`${zipp.url}/study/pilot/results`)).status).toBe(401);
    const results = (await (await zipp.call('GET', '/study/pilot/results')).json()) as { participants: number; conditions: { condition: string; n: number; wins_a: number; p_value: number }[] };
    expect(results.participants).toBe(1);
    for (const c of results.conditions) {
      const mine = trials.filter((t) => t.condition === c.condition);
      const wins = mine.filter((t) => t.winner === 'a').length;
      expect(c).toMatchObject({ n: mine.length, wins_a: wins });
      expect(c.p_value).toBeCloseTo(binomialTestTwoSided(wins, mine.length), 12);
    }
    const html = await (await zipp.call('GET', '/study/pilot/results.html')).text();
    expect(html).toContain('ZIPP (0-shot), other persona');
    expect(html).toContain('<svg');
  });

  it('refuses a second answer, unknown participants and a hand-made study id', async () => {
    const db = new Database(join(zipp.dataDir, 'study.db'), { readonly: true });
    const { id } = db.prepare('SELECT id FROM participants').get() as { id: string };
    db.close();
    const again = await fetch(`${zipp.url}/study/pilot/api/participants/${id}/trials/0`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"choice":"right"}' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('conflict');
    expect((await fetch(`${zipp.url}/study/pilot/api/participants/p_000000000000000000000000/next`)).status).toBe(404);
    const missing = await fetch(`${zipp.url}/study/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/no study nope: put its config in .*studies\/nope\.json/);
  });

  it('serves the results as Markdown with the same numbers', async () => {
    const results = (await (await zipp.call('GET', '/study/pilot/results')).json()) as { conditions: { a: string; b: string; n: number; wins_a: number; wins_b: number; win_rate_a: number }[] };
    const md = await (await zipp.call('GET', '/study/pilot/results.md')).text();
    expect(md).toContain('## User study: pilot');
    for (const c of results.conditions) {
      expect(md).toContain(`| ${c.a} | ${c.b} | ${c.n} | ${c.wins_a} | ${c.wins_b} | 0 | ${(100 * c.win_rate_a).toFixed(1)}% |`);
    }
  });
});

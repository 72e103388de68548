import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './extension-browser.ts';

/**
 * First-run steps done the way a person does them, through the options page: connect the LLM, write a
 * persona, switch ZIPP on for a site. Each returns once the page confirms it.
 */
export async function connectLlm(browser: ExtensionBrowser, baseUrl: string, model = 'zipp-test-model'): Promise<Page> {
  const page = await browser.open('options.html#connection');
  await page.getByLabel('OpenAI-compatible server', { exact: false }).check();
  await page.locator('input[name="baseUrl"]').fill(baseUrl);
  await page.locator('input[name="apiKey"]').fill('sk-test-key-1234');
  await page.locator('input[name="model"]').fill(model);
  await page.getByRole('button', { name: 'Save and test' }).click();
  await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
  return page;
}

export async function writePersona(page: Page, name: string, text: string): Promise<void> {
  await page.goto(page.url().replace(/#.*$/, '#personas'));
  await page.getByRole('button', { name: 'Write a persona' }).click();
  await page.locator('input[name="name"]').fill(name);
  await page.locator('textarea[name="text"]').fill(text);
  await page.getByRole('button', { name: 'Save persona' }).click();
  await page.getByTestId('persona-card').filter({ hasText: name }).waitFor();
}

export async function enableSite(page: Page, host: string): Promise<void> {
  await page.goto(page.url().replace(/#.*$/, '#sites'));
  await page.getByLabel('Site to turn ZIPP on for').fill(host);
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByTestId(`site-${host}`).waitFor();
}

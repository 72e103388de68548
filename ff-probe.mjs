import puppeteer from 'puppeteer-core';
const uuid = '0b6b2f7e-3c1d-4e5f-9a8b-1c2d3e4f5a6b';
const t0 = Date.now();
const browser = await puppeteer.launch({
  browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true,
  extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ 'zipp-extension@zipp.invalid': uuid }), 'extensions.originControls.grantByDefault': true },
});
await browser.installExtension('/work/wt/sec-ext/extension/.output/firefox-mv3');
await new Promise((r) => setTimeout(r, 3000));
console.log('pages', (await browser.pages()).map((p) => p.url()));
const page = await browser.newPage();
page.goto(`moz-extension://${uuid}/options.html#connection`, { waitUntil: 'domcontentloaded', timeout: 10000 }).then(() => console.log('nav ok'), (e) => console.log('nav err', e.message));
await new Promise((r) => setTimeout(r, 5000));
console.log('url', page.url());
console.log(await page.evaluate(() => document.body?.innerText?.slice(0, 200)).catch((e) => 'eval err ' + e.message));
await browser.close();

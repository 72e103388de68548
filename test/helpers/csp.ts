import type { Page } from 'playwright-core';

/**
 * Reports every Content-Security-Policy violation a page raises (the `securitypolicyviolation` event,
 * fired for each blocked script, style, image or fetch) into `into`, from before its first script runs
 * and for the page's whole life: a page that works under its CSP adds nothing.
 */
export async function watchCsp(page: Page, into: string[]): Promise<void> {
  await page.exposeFunction('__zippCspViolation', (line: string) => into.push(`${page.url()}: ${line}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __zippCspViolation(line: string): void }).__zippCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`),
    );
  });
}

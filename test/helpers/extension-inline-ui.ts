import type { CDPSession, Page } from 'playwright-core';

/**
 * ZIPP's inline UI (button, preview, toast) as a test reaches it. It lives in a *closed* shadow root that
 * page scripts cannot enter — nor can Playwright's locators, which run as page scripts — and its text is
 * drawn by CSS generated content, so there is no text node to read. The test goes where DevTools goes:
 * over the Chrome DevTools Protocol into the content script's own isolated world, where
 * `chrome.dom.openOrClosedShadowRoot` opens the root and `data-text` holds what generated content shows.
 * Clicks are real mouse events at the element's position (trusted, as a person's are), never `el.click()`.
 */
export interface UiQuery {
  /** `data-testid` of the element… */
  testid?: string;
  /** …or the visible label of a button. */
  button?: string;
}

export interface UiElement {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Runs in the content script's world: the matches of `q` inside ZIPP's closed root (null: no UI yet). */
const QUERY = `(q) => {
  const host = [...document.body.children].find((e) => chrome.dom.openOrClosedShadowRoot(e)?.querySelector('.zipp'));
  const root = host && chrome.dom.openOrClosedShadowRoot(host);
  if (!root) return null;
  const text = (el) => {
    let s = '';
    for (const n of el.childNodes) {
      if (n.nodeType === 3) s += n.data;
      else if (n.nodeType === 1) s += (n.getAttribute('data-text') ?? '') + text(n);
    }
    return s;
  };
  const all = q.testid ? [...root.querySelectorAll('[data-testid="' + q.testid + '"]')] : [...root.querySelectorAll('button')].filter((b) => text(b).trim() === q.button);
  return {
    active: root.activeElement?.getAttribute('data-testid') ?? null,
    matches: all.map((el) => {
      const r = el.getBoundingClientRect();
      return { text: text(el), x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  };
}`;

const describe = (q: UiQuery) => (q.testid ? `[data-testid="${q.testid}"]` : `button "${q.button}"`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class InlineUi {
  private readonly contexts = new Map<number, string>();

  private constructor(
    readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly extensionId: string,
  ) {}

  /** Follows `page` (its navigations too) and the ZIPP content script contexts created in it. */
  static async attach(page: Page, extensionId: string): Promise<InlineUi> {
    const cdp = await page.context().newCDPSession(page);
    const ui = new InlineUi(page, cdp, extensionId);
    cdp.on('Runtime.executionContextCreated', ({ context }) => {
      const aux = context.auxData as { type?: string; frameId?: string } | undefined;
      if (aux?.type === 'isolated' && context.origin === `chrome-extension://${extensionId}`) ui.contexts.set(context.id, aux.frameId ?? '');
    });
    cdp.on('Runtime.executionContextDestroyed', ({ executionContextId }) => ui.contexts.delete(executionContextId));
    cdp.on('Runtime.executionContextsCleared', () => ui.contexts.clear());
    await cdp.send('Runtime.enable');
    return ui;
  }

  /** Evaluates `fn(arg)` in ZIPP's content script world of the page's main frame (waits for it). */
  async inContentScript<T>(fn: string, arg: unknown = null, timeout = 10_000): Promise<T> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { frameTree } = await this.cdp.send('Page.getFrameTree');
      const id = [...this.contexts].find(([, frame]) => frame === frameTree.frame.id)?.[0];
      if (id !== undefined) {
        const res = await this.cdp
          .send('Runtime.evaluate', { expression: `(${fn})(${JSON.stringify(arg)})`, contextId: id, returnByValue: true, awaitPromise: true })
          .catch((err: Error) => ({ gone: err }));
        if (!('gone' in res)) {
          if (res.exceptionDetails) throw new Error(`in ZIPP's content script: ${res.exceptionDetails.exception?.description ?? res.exceptionDetails.text}`);
          return res.result.value as T;
        }
      }
      if (Date.now() > deadline) throw new Error(`no ZIPP content script in ${this.page.url()} after ${timeout} ms`);
      await sleep(50);
    }
  }

  private async query(q: UiQuery): Promise<{ active: string | null; matches: UiElement[] } | null> {
    return this.inContentScript(QUERY, q);
  }

  async all(q: UiQuery): Promise<UiElement[]> {
    return (await this.query(q))?.matches ?? [];
  }

  async count(q: UiQuery): Promise<number> {
    return (await this.all(q)).length;
  }

  /** The first match once there is one (`attached`), or once there is none (`detached`). */
  async waitFor(q: UiQuery, { state = 'attached', timeout = 10_000 }: { state?: 'attached' | 'detached'; timeout?: number } = {}): Promise<UiElement | undefined> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const [first] = await this.all(q);
      if (state === 'attached' ? first : !first) return first;
      if (Date.now() > deadline) throw new Error(`ZIPP UI: ${describe(q)} still ${state === 'attached' ? 'missing' : 'present'} after ${timeout} ms`);
      await sleep(50);
    }
  }

  async text(q: UiQuery): Promise<string> {
    return (await this.waitFor(q))!.text;
  }

  async box(q: UiQuery): Promise<UiElement> {
    return (await this.waitFor(q))!;
  }

  /** A real mouse click in the middle of the element. */
  async click(q: UiQuery): Promise<void> {
    const el = (await this.waitFor(q))!;
    await this.page.mouse.click(el.x + el.width / 2, el.y + el.height / 2);
  }

  /** `data-testid` of the focused element inside ZIPP's root. */
  async activeTestId(): Promise<string | null> {
    return (await this.query({ testid: '-' }))?.active ?? null;
  }

  async detach(): Promise<void> {
    await this.cdp.detach().catch(() => {});
  }
}

import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { ContentScriptContext } from '../../lib/content/context.ts';
import { callBackground } from '../../lib/messages/client.ts';
import { TabEvent, type BoxStatus, type SiteState } from '../../lib/messages/protocol.ts';
import { InlineSession } from './session.tsx';

/**
 * Runs on every http(s) page but stays dormant unless the background says ZIPP is on for the site
 * (a supported site not switched off, or any site the person switched on).
 */
export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  runAt: 'document_idle',
  main(ctx) {
    // WXT's entrypoint constructs the context from "wxt/utils/content-script-context", which wxt.config.ts
    // points at ZIPP's own (lib/content/context.ts): WXT's type, ZIPP's object.
    void run(ctx as unknown as ContentScriptContext);
  },
});

async function run(ctx: ContentScriptContext) {
  let session: InlineSession | undefined;
  let starting: Promise<void> | undefined;

  const refresh = async () => {
    let state: SiteState;
    try {
      state = await callBackground('site/state', { url: location.href });
    } catch (err) {
      console.debug('ZIPP: staying dormant:', (err as Error).message);
      return; // extension reloaded or background unavailable: stay dormant
    }
    if (!ctx.isValid) return;
    if (state.active && !session) {
      session = new InlineSession(state);
      starting = session.start();
      await starting;
    } else if (state.active && session) session.update(state);
    else if (!state.active && session) {
      session.stop();
      session = undefined;
    }
  };

  // Only ZIPP's own background and pages can reach this listener (pages cannot message an extension).
  const status = (): BoxStatus => session?.status() ?? { active: false, found: false, by: null, pickedMissing: false };
  browser.runtime.onMessage.addListener((raw: unknown, _sender: unknown, sendResponse: (answer: BoxStatus) => void) => {
    const event = TabEvent.safeParse(raw);
    if (!event.success) return;
    switch (event.data.type) {
      case 'zipp/site-changed':
        void refresh();
        return;
      case 'zipp/shortcut':
        void starting?.then(() => session?.shortcut());
        return;
      case 'zipp/pick':
        void starting?.then(() => session?.pick());
        return;
      case 'zipp/forget-pick':
        // Answered once the pick is forgotten and this page has looked again, so the popup then shows
        // what is true (and a reload right after cannot find the old box).
        void (async () => {
          await session?.forgetPick().catch((err: Error) => console.debug('ZIPP: could not forget the picked box:', err.message));
          await refresh();
          sendResponse(status());
        })();
        return true;
      case 'zipp/status':
        sendResponse(status());
        return;
    }
  });
  ctx.onLocationChange(() => void refresh());
  ctx.onInvalidated(() => session?.stop());
  await refresh();
}

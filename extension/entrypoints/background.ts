import { browser } from 'wxt/browser';
import { extensionUrl } from '../lib/extension-url.ts';
import { defineBackground } from 'wxt/utils/define-background';
import { createDescriptionLookup } from '../lib/background/descriptions.ts';
import { engineFor } from '../lib/background/engine-for.ts';
import { syncOriginRule, type SessionRulesApi } from '../lib/background/origin-rule.ts';
import { promptApi } from '../lib/llm/prompt-api.ts';
import { createHandlers, type BackgroundDeps } from '../lib/background/handlers.ts';
import { serveRewritePort, type PortLike } from '../lib/background/rewrite-port.ts';
import { loadConnection, restrictStorageToExtension, saveConnection } from '../lib/llm/storage.ts';
import { REWRITE_PORT, type TabEvent } from '../lib/messages/protocol.ts';
import { createRouter } from '../lib/messages/router.ts';
import { openDb } from '../lib/store/db.ts';

export const REWRITE_COMMAND = 'rewrite-prompt';

/** The built-in model as this service worker sees it now (looked up per engine, never cached). */
const withPromptApi = () => {
  const api = promptApi();
  return api ? { promptApi: api } : {};
};
const DEFAULT_SHORTCUT = 'Alt+Shift+R';

/**
 * The only part of ZIPP that talks to the LLM and holds the key. An ES-module service worker
 * (onnxruntime-web and the openai SDK both need the module form).
 */
export default defineBackground({
  type: 'module',
  main() {
    // Before anything is stored: content scripts must not be able to read the LLM key.
    void restrictStorageToExtension();
    const db = openDb();
    const self = { id: browser.runtime.id, origin: extensionUrl('/') };

    const sendToTab = async (tabId: number, event: TabEvent) => {
      try {
        await browser.tabs.sendMessage(tabId, event);
        return true;
      } catch {
        return false; // no ZIPP content script in that tab (chrome:// pages, not yet loaded)
      }
    };

    const deps: BackgroundDeps = {
      db,
      loadConnection,
      saveConnection,
      engineFor: (c) => engineFor(c, { extensionOrigin: self.origin, ...withPromptApi() }),
      extensionOrigin: self.origin,
      syncOriginRule: (c) =>
        syncOriginRule((browser as unknown as { declarativeNetRequest?: SessionRulesApi }).declarativeNetRequest, c, browser.runtime.id),
      async notifyTabs() {
        const tabs = await browser.tabs.query({});
        const sent = await Promise.all(tabs.map((t) => (t.id === undefined ? false : sendToTab(t.id, { type: 'zipp/site-changed' }))));
        return sent.filter(Boolean).length;
      },
      async openOptions(hash) {
        if (hash) await browser.tabs.create({ url: extensionUrl(`/options.html#${hash}`) });
        else await browser.runtime.openOptionsPage();
      },
      descriptions: createDescriptionLookup(async () => (await fetch(extensionUrl('/model/descriptions.json'))).json()),
      async shortcut() {
        const commands = await browser.commands.getAll();
        return commands.find((c) => c.name === REWRITE_COMMAND)?.shortcut || DEFAULT_SHORTCUT;
      },
    };

    // Session rules end with the browser session; put the one for the saved server back at every start.
    void loadConnection().then((c) => deps.syncOriginRule(c));
    const route = createRouter(createHandlers(deps), self);
    browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
      // sendResponse + `return true` keeps the channel open for the async answer in every browser.
      void route(message, sender).then((answer) => sendResponse(answer));
      return true;
    });
    browser.runtime.onConnect.addListener((port) => {
      if (port.name === REWRITE_PORT) serveRewritePort(port as unknown as PortLike, deps, self);
    });
    browser.commands.onCommand.addListener((command, tab) => {
      if (command === REWRITE_COMMAND && tab?.id !== undefined) void sendToTab(tab.id, { type: 'zipp/shortcut' });
    });
    browser.runtime.onInstalled.addListener(({ reason }) => {
      if (reason === 'install') void deps.openOptions('welcome');
    });
  },
});

import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { extensionUrl } from '../../lib/extension-url.ts';
import { callBackground } from '../../lib/messages/client.ts';
import { BoxStatus, type SiteState } from '../../lib/messages/protocol.ts';
import { listPersonas, setActivePersona } from '../../lib/store/personas.ts';
import { getPreferences } from '../../lib/store/preferences.ts';
import { lastRewrite } from '../../lib/store/rewrites.ts';
import { updateSite } from '../../lib/store/sites.ts';
import { pageDb, useLive } from '../common/db.ts';

/**
 * The tab the popup is about: the active tab of the last focused browser window (the popup itself is not
 * a window of its own), when it is an http(s) page ZIPP can run on — not chrome://, the store, or ZIPP.
 */
async function currentTab(): Promise<{ id: number; url: string } | undefined> {
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  return tab?.id !== undefined && tab.url && /^https?:/i.test(tab.url) ? { id: tab.id, url: tab.url } : undefined;
}

/** What the page's content script says about its prompt box (undefined: no ZIPP there yet). */
async function boxStatus(tabId: number): Promise<BoxStatus | undefined> {
  try {
    return BoxStatus.parse(await browser.tabs.sendMessage(tabId, { type: 'zipp/status' }));
  } catch {
    return undefined;
  }
}

function describeBox(status: BoxStatus | undefined): string {
  if (!status) return 'ZIPP is not running in this tab yet: reload the page.';
  if (!status.active) return 'ZIPP is off on this site.';
  if (status.pickedMissing && !status.found) return 'The prompt box you picked is not on this page.';
  switch (status.by) {
    case 'picked':
      return 'Prompt box found: the one you picked.';
    case 'adapter':
      return 'Prompt box found.';
    case 'fallback':
      return "ZIPP's usual prompt box for this site is missing (the site may have changed); it is using the most prompt-like box.";
    case 'focused':
      return 'Using the text box you clicked into.';
    default:
      return 'No prompt box found on this page: click into it, or pick it.';
  }
}

/** The toolbar popup: active persona, ZIPP on/off for this site, the last rewrite, a way to the options. */
export function Popup() {
  const personas = useLive((db) => listPersonas(db)) ?? [];
  const prefs = useLive((db) => getPreferences(db));
  const last = useLive((db) => lastRewrite(db));
  const [tab, setTab] = useState<{ id: number; url: string }>();
  const [site, setSite] = useState<SiteState>();
  const [box, setBox] = useState<BoxStatus>();

  const refresh = async (current = tab) => {
    if (!current) return;
    // Both at once: set one after the other, the box line would first claim "not running in this tab".
    const [state, status] = await Promise.all([callBackground('site/state', { url: current.url }), boxStatus(current.id)]);
    setSite(state);
    setBox(status);
  };
  useEffect(() => {
    void currentTab().then((t) => {
      setTab(t);
      void refresh(t);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const pick = async () => {
    if (!tab) return;
    await browser.tabs.sendMessage(tab.id, { type: 'zipp/pick' }).catch(() => {});
    window.close();
  };
  const forget = async () => {
    if (!tab) return;
    // The page answers once the pick is forgotten and it has looked for the box again.
    await browser.tabs.sendMessage(tab.id, { type: 'zipp/forget-pick' }).catch(() => {});
    await refresh();
  };

  const toggle = async (on: boolean) => {
    if (!site) return;
    await updateSite(pageDb(), site.host, { enabled: on });
    await callBackground('sites/changed', {});
    await refresh();
  };

  const options = (hash = '') => {
    void browser.tabs.create({ url: extensionUrl(`/options.html${hash}`) });
    window.close();
  };

  return (
    <div className="popup">
      <h1>ZIPP</h1>
      <section>
        <label className="form">
          Persona
          {personas.length ? (
            <select value={prefs?.activePersonaId ?? ''} onChange={(e) => void setActivePersona(pageDb(), e.target.value)} data-testid="popup-persona">
              {personas.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          ) : (
            <button onClick={() => options('#personas')}>Make your first persona</button>
          )}
        </label>
      </section>
      <section>
        {site ? (
          <>
            <label className="row">
              <input type="checkbox" checked={site.active} onChange={(e) => void toggle(e.target.checked)} data-testid="popup-site-toggle" />
              ZIPP on {site.label}
              {site.adapter === 'generic' && <span className="hint">(any text box, button or {site.shortcut})</span>}
            </label>
            {site.active && (
              <>
                <p className="hint" data-testid="popup-box">
                  {describeBox(box)}
                </p>
                <div className="row">
                  <button onClick={() => void pick()} data-testid="popup-pick">
                    Pick the prompt box
                  </button>
                  {box?.picked && <button onClick={() => void forget()}>Forget the picked box</button>}
                </div>
              </>
            )}
            {!site.ready.llm && (
              <p className="warn">
                No LLM connected. <a href="#" onClick={() => options('#connection')}>Connect one</a>
              </p>
            )}
          </>
        ) : (
          <p className="hint">ZIPP works on web pages (http and https).</p>
        )}
      </section>
      <section>
        <b>Last rewrite</b>
        {last ? (
          <p data-testid="popup-last">
            <span className="hint">
              {last.site} · {last.outcome}
            </span>
            <br />“{last.base}” → “{last.rewritten}”
          </p>
        ) : (
          <p className="hint">None yet.</p>
        )}
      </section>
      <button onClick={() => options()}>Open ZIPP options</button>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { extensionUrl } from '../../lib/extension-url.ts';
import { callBackground } from '../../lib/messages/client.ts';
import type { SiteState } from '../../lib/messages/protocol.ts';
import { listPersonas, setActivePersona } from '../../lib/store/personas.ts';
import { getPreferences } from '../../lib/store/preferences.ts';
import { lastRewrite } from '../../lib/store/rewrites.ts';
import { updateSite } from '../../lib/store/sites.ts';
import { pageDb, useLive } from '../common/db.ts';

/** The current tab's http(s) URL, or undefined on pages ZIPP cannot run on (chrome://, the store…). */
async function currentTabUrl(): Promise<string | undefined> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.url && /^https?:/i.test(tab.url) ? tab.url : undefined;
}

/** The toolbar popup: active persona, ZIPP on/off for this site, the last rewrite, a way to the options. */
export function Popup() {
  const personas = useLive((db) => listPersonas(db)) ?? [];
  const prefs = useLive((db) => getPreferences(db));
  const last = useLive((db) => lastRewrite(db));
  const [url, setUrl] = useState<string>();
  const [site, setSite] = useState<SiteState>();

  const refresh = async (pageUrl = url) => {
    if (pageUrl) setSite(await callBackground('site/state', { url: pageUrl }));
  };
  useEffect(() => {
    void currentTabUrl().then((u) => {
      setUrl(u);
      void refresh(u);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

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

import { useEffect, useState, type FormEvent } from 'react';
import { callBackground } from '../../lib/messages/client.ts';
import { SITE_ADAPTERS } from '../../lib/sites/catalog.ts';
import { primaryHost } from '../../lib/sites/state.ts';
import { listPersonas } from '../../lib/store/personas.ts';
import type { SiteRecord } from '../../lib/store/records.ts';
import { listSites, removeSite, updateSite } from '../../lib/store/sites.ts';
import { pageDb, useLive } from '../common/db.ts';
import { ErrorLine } from '../common/ErrorLine.tsx';

/** "https://Example.com:8080/x" or "example.com:8080" → "example.com:8080" (what `location.host` gives). */
export function hostOf(input: string): string | undefined {
  const raw = input.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
    return url.host || undefined;
  } catch {
    return undefined;
  }
}

async function change(host: string, patch: Partial<SiteRecord>) {
  await updateSite(pageDb(), host, patch);
  await callBackground('sites/changed', {}).catch(() => {});
}

/** A checkbox that shows the new state at once while the store catches up (the row re-renders from it). */
function Toggle({ checked, onChange, label }: { checked: boolean; onChange(on: boolean): void; label: string }) {
  const [shown, setShown] = useState(checked);
  useEffect(() => setShown(checked), [checked]);
  return (
    <input
      type="checkbox"
      checked={shown}
      aria-label={label}
      onChange={(e) => {
        setShown(e.target.checked);
        onChange(e.target.checked);
      }}
    />
  );
}

function SiteRow({ host, label, record, supported, personas }: { host: string; label: string; record?: SiteRecord; supported: boolean; personas: { id: string; name: string }[] }) {
  const on = supported ? record?.enabled !== false : record?.enabled === true;
  return (
    <tr data-testid={`site-${host}`}>
      <th scope="row">
        {label}
        {!supported && <span className="hint"> (generic mode)</span>}
        {record?.promptSelector && (
          <div className="hint" data-testid={`picked-${host}`}>
            Prompt box you picked: <code>{record.promptSelector}</code>{' '}
            <button onClick={() => void change(host, { promptSelector: undefined })} aria-label={`Forget the prompt box picked on ${label}`}>
              Forget
            </button>
          </div>
        )}
      </th>
      <td>
        <label className="switch">
          <Toggle checked={on} onChange={(v) => void change(host, { enabled: v })} label={`ZIPP on ${label}`} /> on
        </label>
      </td>
      <td>
        <label className="switch">
          <Toggle checked={record?.capture === true} onChange={(v) => void change(host, { capture: v })} label={`Keep prompts I submit on ${label}`} />{' '}
          keep my prompts
        </label>
      </td>
      <td>
        <select value={record?.personaId ?? ''} onChange={(e) => void change(host, { personaId: e.target.value || undefined })} aria-label={`Persona on ${label}`}>
          <option value="">Active persona</option>
          {personas.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </td>
      <td>{!supported && <button onClick={() => void removeSite(pageDb(), host).then(() => callBackground('sites/changed', {}))}>Remove</button>}</td>
    </tr>
  );
}

/**
 * Where ZIPP works. Supported sites are on by default; any other site works in generic mode (any text
 * box, on the button or shortcut) once added here or switched on from the popup. "Keep my prompts"
 * stores what you submit on that site, the few-shot examples that teach the model your style. A prompt
 * box picked from the popup is shown under its site, and can be forgotten here too.
 */
export function Sites() {
  const sites = useLive((db) => listSites(db));
  const personas = useLive((db) => listPersonas(db)) ?? [];
  const [newHost, setNewHost] = useState('');
  const [error, setError] = useState<string>();
  const byHost = new Map((sites ?? []).map((s) => [s.host, s]));
  const supportedHosts = new Set(SITE_ADAPTERS.map(primaryHost));
  const generic = (sites ?? []).filter((s) => !supportedHosts.has(s.host));

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const host = hostOf(newHost);
    if (!host) return setError('type a site such as example.com or http://127.0.0.1:5173');
    setError(undefined);
    await change(host, { enabled: true });
    setNewHost('');
  };

  return (
    <section aria-labelledby="sites-title">
      <h2 id="sites-title">Sites</h2>
      <table className="sites">
        <thead>
          <tr>
            <th>Site</th>
            <th>ZIPP</th>
            <th>History</th>
            <th>Persona</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {SITE_ADAPTERS.map((a) => {
            const host = primaryHost(a);
            return <SiteRow key={a.id} host={host} label={a.label} record={byHost.get(host)} supported personas={personas} />;
          })}
          {generic.map((s) => (
            <SiteRow key={s.host} host={s.host} label={s.host} record={s} supported={false} personas={personas} />
          ))}
        </tbody>
      </table>
      <form className="row" onSubmit={(e) => void add(e)}>
        <input value={newHost} onChange={(e) => setNewHost(e.target.value)} placeholder="another site, e.g. example.com" aria-label="Site to turn ZIPP on for" />
        <button type="submit">Turn on</button>
      </form>
      <ErrorLine error={error} />
    </section>
  );
}

import { deleteHistory, listHistory } from '../../lib/store/history.ts';
import { listPersonas } from '../../lib/store/personas.ts';
import { listRewrites } from '../../lib/store/rewrites.ts';
import { pageDb, useLive } from '../common/db.ts';

/** The prompts kept per site (few-shot examples) and the log of every rewrite and what became of it. */
export function HistoryLog() {
  const history = useLive((db) => listHistory(db)) ?? [];
  const rewrites = useLive((db) => listRewrites(db, 200)) ?? [];
  const personas = new Map((useLive((db) => listPersonas(db)) ?? []).map((p) => [p.id, p.name]));
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History & log</h2>
      <h3>Prompts kept as examples ({history.length})</h3>
      <p className="hint">Only on sites where you turned on “keep my prompts” (Sites). Few-shot rewrites show the model your latest ones from the same site.</p>
      <table className="log">
        <thead>
          <tr>
            <th>Site</th>
            <th>Prompt</th>
            <th>When</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr key={h.id}>
              <td>{h.site}</td>
              <td>{h.prompt}</td>
              <td>{new Date(h.createdAt).toLocaleString()}</td>
              <td>
                <button onClick={() => void deleteHistory(pageDb(), [h.id!])}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Rewrites ({rewrites.length})</h3>
      <table className="log" data-testid="rewrite-log">
        <thead>
          <tr>
            <th>Site</th>
            <th>Your prompt</th>
            <th>Rewrite</th>
            <th>Persona · method · strength · model</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {rewrites.map((r) => (
            <tr key={r.id}>
              <td>{r.site}</td>
              <td>{r.base}</td>
              <td>{r.rewritten}</td>
              <td>
                {(r.personaId && personas.get(r.personaId)) ?? '—'} · {r.method} · {r.strength ?? 'balanced'} · {r.model}
              </td>
              <td>{r.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

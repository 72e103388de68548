import { listPersonas } from '../../lib/store/personas.ts';
import { listVotes, personaHelp, personaVsPersona, votesCsv } from '../../lib/store/votes.ts';
import { pageDb, useLive } from '../common/db.ts';
import { saveFile } from '../common/save-file.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '—');
const pValue = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/**
 * "Does my persona help me?": the person's own A/B study. With two candidates on (Preferences), every
 * pick between the persona's rewrite and the one without it is a vote; per persona and site this shows
 * the persona's win rate, n, and the exact two-sided binomial p — the test the paper's user study used
 * (79% win rate over n = 250). The votes can be exported in the A/B study's votes format.
 */
export function PersonaHelp() {
  const votes = useLive((db) => listVotes(db)) ?? [];
  const names = new Map((useLive((db) => listPersonas(db)) ?? []).map((p) => [p.id, p.name]));
  const rows = personaHelp(votes).sort((x, y) => (x.personaId === y.personaId ? (x.site ?? '').localeCompare(y.site ?? '') : x.personaId.localeCompare(y.personaId)));
  const versus = personaVsPersona(votes);
  const verdict = (n: number, rate: number, p: number) =>
    n === 0 ? 'no picks yet' : p < 0.05 ? (rate > 0.5 ? 'the persona helps' : 'the persona hurts') : 'not clear yet: keep picking';
  return (
    <section aria-labelledby="help-title">
      <h2 id="help-title">Does my persona help me?</h2>
      <p>
        Turn on <strong>Two candidates</strong> in Preferences: each rewrite then comes as two, in random order — one with your
        persona, one without — and the one you use counts as a vote. This is the paper's user study (persona rewrites won 79%
        of 250 votes), run by you on yourself; p is the exact two-sided binomial test against 50%.
      </p>
      <table className="log" data-testid="persona-help">
        <thead>
          <tr>
            <th>Persona</th>
            <th>Site</th>
            <th>Persona won</th>
            <th>n</th>
            <th>p</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.personaId}|${r.site ?? ''}`} data-site={r.site ?? 'all'}>
              <td>{names.get(r.personaId) ?? 'a deleted persona'}</td>
              <td>{r.site ?? 'all sites'}</td>
              <td className="num">
                {pct(r.win_rate_a)} ({r.wins_a} of {r.n})
              </td>
              <td className="num">{r.n}</td>
              <td className="num">{pValue(r.p_value)}</td>
              <td>{verdict(r.n, r.win_rate_a, r.p_value)}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6}>No votes yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      {versus.length > 0 && (
        <>
          <h3>Persona against persona</h3>
          <table className="log" data-testid="persona-versus">
            <tbody>
              {versus.map((r) => (
                <tr key={`${r.a}|${r.b}`}>
                  <td>
                    {r.a} over {r.b}
                  </td>
                  <td className="num">
                    {pct(r.win_rate_a)} ({r.wins_a} of {r.n})
                  </td>
                  <td className="num">p {pValue(r.p_value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>Share your votes with a study</h3>
      <p className="hint">
        A CSV in the A/B study's votes format (<code>a,b,winner</code>, plus mode, site and date) — what{' '}
        <code>zipp metrics winrate --votes FILE</code> reads, so a researcher can pool many people's votes. It holds no
        prompt, rewrite or persona text. It is written only when you click, and goes where you save it.
      </p>
      <button disabled={votes.length === 0} onClick={() => saveFile(`zipp-votes-${new Date().toISOString().slice(0, 10)}.csv`, votesCsv(votes), 'text/csv')}>
        Export my votes ({votes.length})
      </button>
    </section>
  );
}

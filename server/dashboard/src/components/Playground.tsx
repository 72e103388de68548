import { useState } from 'react';
import { InferResponse, PersonaResponse } from '../../../../shared/api/personas.ts';
import { RewriteResult } from '../../../../shared/schemas/rewrite.ts';
import { api } from '../api.ts';
import { AttentionBars } from './AttentionBars.tsx';
import { parseCommunitySpec } from '../../../../shared/community/list.ts';

/** One rewrite with the template that made it and the subject guard's verdict. */
function RewriteCard({ testId, caption, result }: { testId: string; caption: string; result: RewriteResult }) {
  return (
    <figure data-testid={testId}>
      <figcaption>{caption}</figcaption>
      <p>{result.rewritten}</p>
      <small>
        {result.template} · guard {result.guard}
      </small>
    </figure>
  );
}

const EXAMPLE = 'analog:40, photography:25, itookapicture:12, hiking:8, mechanicalkeyboards:5';

/** Any source's names (the server's model may be trained on Last.fm artists: "Guns N' Roses: 12"), Reddit's as well. */
const readList = (text: string) => parseCommunitySpec(text, { names: 'any' });

/**
 * The method end to end: communities → the encoder's ranked attention → a verbalized persona → the same
 * prompt rewritten without and with that persona, side by side.
 */
export function Playground() {
  const [communities, setCommunities] = useState(EXAMPLE);
  const [ranked, setRanked] = useState<InferResponse>();
  const [persona, setPersona] = useState('');
  const [personaMeta, setPersonaMeta] = useState<PersonaResponse>();
  const [prompt, setPrompt] = useState('a cozy wooden table with an open book');
  const [rewrites, setRewrites] = useState<{ without?: RewriteResult; with?: RewriteResult }>({});
  const [busy, setBusy] = useState<string>();
  const [problem, setProblem] = useState<string>();

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setProblem(undefined);
    try {
      await fn();
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  };

  const infer = () =>
    run('infer', async () => {
      setRanked(await api('POST', '/v1/personas/infer', InferResponse, { communities: readList(communities), embedding: false, suggest: 10 }));
    });

  const verbalize = () =>
    run('verbalize', async () => {
      // With a ranking on screen, the persona follows exactly those attention weights.
      const weights = ranked?.communities.map((r) => ({ name: r.name, weight: r.attention }));
      const result = await api('POST', '/v1/personas/verbalize', PersonaResponse, {
        communities: readList(communities),
        ...(weights?.length ? { weights } : {}),
      });
      setPersona(result.text);
      setPersonaMeta(result);
    });

  const rewrite = () =>
    run('rewrite', async () => {
      const [without, withPersona] = await Promise.all([
        api('POST', '/v1/rewrite', RewriteResult, { prompt, method: 'baseline' }),
        api('POST', '/v1/rewrite', RewriteResult, { prompt, persona, method: 'persona' }),
      ]);
      setRewrites({ without, with: withPersona });
    });

  return (
    <section className="card" aria-labelledby="play-title">
      <h2 id="play-title">Persona playground</h2>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="step">
        <label htmlFor="communities">1. Communities you take part in (name:activity, comma-separated)</label>
        <textarea id="communities" rows={2} value={communities} onChange={(e) => setCommunities(e.target.value)} />
        <button onClick={infer} disabled={busy !== undefined}>
          {busy === 'infer' ? 'Ranking…' : 'Rank with the encoder'}
        </button>
        {ranked && (
          <>
            <AttentionBars ranked={ranked.communities} />
            {ranked.communities.some((c) => !c.known) && (
              <p className="note">
                new to the encoder (features from the name):{' '}
                {ranked.communities
                  .filter((c) => !c.known)
                  .map((c) => c.name)
                  .join(', ')}
              </p>
            )}
            {ranked.ignored.length > 0 && <p className="note">left out: {ranked.ignored.join(', ')}</p>}
            {ranked.suggestions && ranked.suggestions.length > 0 && (
              <p className="note" data-testid="suggestions">
                communities like yours (by similarity to your communities, not by popularity): {ranked.suggestions.map((s) => s.label).join(', ')}
              </p>
            )}
          </>
        )}
      </div>
      <div className="step">
        <label htmlFor="persona">2. Persona (verbalized by the LLM from the ranked communities; edit freely)</label>
        <button onClick={verbalize} disabled={busy !== undefined}>
          {busy === 'verbalize' ? 'Verbalizing…' : 'Verbalize persona'}
        </button>
        <textarea id="persona" data-testid="persona" rows={5} value={persona} onChange={(e) => setPersona(e.target.value)} />
        {personaMeta && (
          <p className="note">
            {personaMeta.template} · {personaMeta.model}
            {personaMeta.importance && ` · importance from ${personaMeta.importance}`}
            {personaMeta.warnings?.length ? ` · ${personaMeta.warnings.join('; ')}` : ''}
          </p>
        )}
      </div>
      <div className="step">
        <label htmlFor="prompt">3. Prompt</label>
        <input id="prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        <button onClick={rewrite} disabled={busy !== undefined || !persona.trim() || !prompt.trim()}>
          {busy === 'rewrite' ? 'Rewriting…' : 'Rewrite without / with persona'}
        </button>
        {rewrites.without && rewrites.with && (
          <div className="side-by-side">
            <RewriteCard testId="rewrite-without" caption="without persona" result={rewrites.without} />
            <RewriteCard testId="rewrite-with" caption="with persona" result={rewrites.with} />
          </div>
        )}
      </div>
    </section>
  );
}

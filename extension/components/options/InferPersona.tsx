import { useEffect, useMemo, useRef, useState } from 'react';
import { SUGGESTION_RANKING, type EncodedUser, type Suggestion } from '../../../shared/encoder/encoder.ts';
import type { CommunityActivity } from '../../../shared/schemas/community.ts';
import { chooseBackend, type Backend } from '../../lib/encoder/backend.ts';
import { callBackground } from '../../lib/messages/client.ts';
import { MAX_EVIDENCE_TEXT_CHARS, MAX_EVIDENCE_TEXTS } from '../../lib/messages/protocol.ts';
import { parseCommunityList } from '../../../shared/community/list.ts';
import { communityDisplayName } from '../../../shared/community/name.ts';
import { parseRedditExport, type RedditExportParse } from '../../lib/parse/reddit-export.ts';
import { getPreferences } from '../../lib/store/preferences.ts';
import { pageDb } from '../common/db.ts';
import { ErrorLine, message } from '../common/ErrorLine.tsx';
import type { SectionId } from './sections.ts';
import { AttentionBars } from './AttentionBars.tsx';
import { PersonaEditor, type Draft } from './PersonaEditor.tsx';

let runsSoFar = 0;

/**
 * Loads the encoder for the person's backend and runs it once on a one-community user, so onnxruntime's
 * binary is inflated and compiled, the session created and its kernels (WebGPU shaders) built before the
 * first real ranking. Started when the page opens; the ranking then waits only for what is left.
 */
async function warmEncoder(): Promise<void> {
  const prefs = await getPreferences(pageDb());
  const { backend } = await chooseBackend(prefs.inferenceBackend);
  const { loadEncoder } = await import('../../lib/encoder/load.ts');
  const { encoder } = await loadEncoder(backend);
  const first = encoder.manifest.communities.names[0];
  if (first) await encoder.encode([[{ name: first, posts: 0, comments: 1 }]]);
}

interface Ranking {
  /** Counts the runs of this page, so a test or the bench can tell one run's result from the next. */
  run: number;
  user: EncodedUser;
  suggestions: Suggestion[];
  backend: Backend;
  reason: string;
  inferMs: number;
  loadMs: number;
  /** From the click to the encoder being ready: the part of the model load the page-open warm-up had not finished. */
  waitMs: number;
}

/**
 * A persona from the communities you take part in: paste a list or load your Reddit data export; the
 * bundled encoder ranks your communities on this computer (WebGPU or WebAssembly), then the LLM writes
 * the persona from the top communities' descriptions and, for an export, your own posts and comments.
 */
export function InferPersona({ go }: { go(id: SectionId): void }) {
  const [source, setSource] = useState<'paste' | 'export'>('paste');
  const [pasted, setPasted] = useState('');
  const [exported, setExported] = useState<RedditExportParse>();
  const [ranking, setRanking] = useState<Ranking>();
  const [draft, setDraft] = useState<Draft>();
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<'rank' | 'write'>();
  const [warm, setWarm] = useState<'warming' | 'ready' | 'failed'>('warming');
  const warming = useRef<Promise<void>>(undefined);
  useEffect(() => {
    let live = true;
    // A failure here is shown when the person ranks (the same load runs again and says why).
    warming.current = warmEncoder();
    warming.current.then(
      () => live && setWarm('ready'),
      () => live && setWarm('failed'),
    );
    return () => {
      live = false;
    };
  }, []);

  const parsedPaste = useMemo(() => parseCommunityList(pasted), [pasted]);
  const communities: CommunityActivity[] = source === 'paste' ? parsedPaste.communities : (exported?.communities ?? []);

  const readFiles = async (files: FileList | null) => {
    if (!files?.length) return;
    setRanking(undefined);
    setExported(parseRedditExport(await Promise.all([...files].map(async (f) => ({ name: f.name, text: await f.text() })))));
  };

  const rank = async () => {
    setError(undefined);
    setBusy('rank');
    try {
      const clicked = performance.now();
      // One run at a time on a session (onnxruntime's WebGPU provider does not take two at once).
      await warming.current?.catch(() => {});
      const prefs = await getPreferences(pageDb());
      const { backend, reason } = await chooseBackend(prefs.inferenceBackend);
      const { loadEncoder } = await import('../../lib/encoder/load.ts');
      const { encoder, loadMs } = await loadEncoder(backend);
      const started = performance.now();
      const [user] = await encoder.encode([communities]);
      const inferMs = performance.now() - started;
      setRanking({ run: ++runsSoFar, user: user!, suggestions: encoder.suggest(user!, 10), backend, reason, inferMs, loadMs, waitMs: started - clicked });
    } catch (err) {
      setRanking(undefined);
      setError(message(err));
    } finally {
      setBusy(undefined);
    }
  };

  const write = async () => {
    if (!ranking) return;
    setError(undefined);
    setBusy('write');
    try {
      const texts =
        source === 'export'
          ? (exported?.texts ?? []).slice(-MAX_EVIDENCE_TEXTS).map((t) => ({ community: t.community, text: t.text.slice(0, MAX_EVIDENCE_TEXT_CHARS) }))
          : undefined;
      const result = await callBackground('persona/verbalize', {
        communities,
        importance: ranking.user.communities.map((c) => ({ name: c.name, weight: c.importance })),
        ...(texts?.length ? { texts } : {}),
      });
      const top = ranking.user.communities.slice(0, 3).map((c) => communityDisplayName(c.label));
      setWarnings(result.warnings);
      setDraft({ name: `From ${top.join(', ')}`.slice(0, 120), text: result.text, source: source === 'export' ? 'export' : 'communities', evidence: result.evidence });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(undefined);
    }
  };

  if (draft) {
    return (
      <section aria-labelledby="infer-title">
        <h2 id="infer-title">Your inferred persona</h2>
        <p>Read it, change anything that is not you, then save.</p>
        {warnings.length > 0 && (
          <ul className="notice" data-testid="persona-warnings">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        )}
        <PersonaEditor draft={draft} onDone={(saved) => (saved ? go('personas') : setDraft(undefined))} />
      </section>
    );
  }

  return (
    <section aria-labelledby="infer-title" data-testid="infer" data-warm={warm}>
      <h2 id="infer-title">Infer a persona from your communities</h2>
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={source === 'paste'} onClick={() => setSource('paste')}>
          Paste a list
        </button>
        <button role="tab" aria-selected={source === 'export'} onClick={() => setSource('export')}>
          Reddit data export
        </button>
      </div>
      {source === 'paste' ? (
        <div className="form">
          <label>
            One community per line, with how often you post or comment there
            <textarea
              data-testid="infer-paste"
              rows={8}
              value={pasted}
              onChange={(e) => {
                setPasted(e.target.value);
                setRanking(undefined);
              }}
              placeholder={'r/analog 40\nphotography: 12\nr/Breadit 3 posts 20 comments'}
            />
          </label>
          {parsedPaste.errors.length > 0 && (
            <ul className="line-errors" data-testid="paste-errors">
              {parsedPaste.errors.map((e, i) => (
                <li key={i}>
                  line {e.line}: {e.message}
                </li>
              ))}
            </ul>
          )}
          {parsedPaste.notes.map((n, i) => (
            <p key={i} className="hint">
              line {n.line}: {n.message}
            </p>
          ))}
        </div>
      ) : (
        <div className="form">
          <p>
            Request your data at reddit.com/settings/data-request, unzip it, and choose <code>comments.csv</code> and <code>posts.csv</code>. The files
            are read here and never leave your computer; only the texts chosen as evidence go to your LLM.
          </p>
          <input type="file" accept=".csv,text/csv" multiple onChange={(e) => void readFiles(e.target.files)} data-testid="export-files" />
          {exported && (
            <p className="hint" data-testid="export-summary">
              {exported.rows.comments} comments and {exported.rows.posts} posts in {exported.communities.length} communities.
            </p>
          )}
          {exported && exported.errors.length > 0 && (
            <ul className="line-errors">
              {exported.errors.slice(0, 20).map((e, i) => (
                <li key={i}>{e.message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="row">
        <button className="primary" data-testid="infer-run" disabled={communities.length === 0 || busy !== undefined} onClick={() => void rank()}>
          {busy === 'rank' ? 'Ranking…' : `Rank my ${communities.length || ''} communities`}
        </button>
      </div>
      <ErrorLine error={error} />
      {ranking && (
        <div className="ranking">
          <p className="notice" data-testid="encoder-backend" data-backend={ranking.backend} data-ms={ranking.inferMs.toFixed(3)} data-wait-ms={ranking.waitMs.toFixed(3)} data-run={ranking.run}>
            Ran on {ranking.reason} in {ranking.inferMs.toFixed(1)} ms (model loaded in {ranking.loadMs.toFixed(0)} ms when this page opened; this ranking waited {ranking.waitMs.toFixed(0)} ms for it), on this computer.
          </p>
          <h3>What your communities say about you</h3>
          <div data-testid="ranked-communities">
            <AttentionBars
              caption="Share of the encoder's attention"
              rows={ranking.user.communities.map((c) => ({ label: communityDisplayName(c.label), weight: c.importance, note: c.known ? '' : 'new to the model' }))}
            />
          </div>
          {ranking.user.ignored.length > 0 && <p className="hint">Left out: {ranking.user.ignored.join(', ')}.</p>}
          <h3>Communities like yours</h3>
          <p className="hint" data-testid="suggestions-ranking">Ranked {SUGGESTION_RANKING}.</p>
          <ol className="suggestions" data-testid="suggestions">
            {ranking.suggestions.map((s) => (
              <li key={s.name} data-name={s.name}>
                r/{s.label} <span className="hint">{s.score.toFixed(3)}</span>
              </li>
            ))}
          </ol>
          <div className="row">
            <button className="primary" data-testid="infer-write" disabled={busy !== undefined} onClick={() => void write()}>
              {busy === 'write' ? 'Writing your persona…' : 'Write my persona from this'}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

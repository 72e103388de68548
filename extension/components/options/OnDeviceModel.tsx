import { useEffect, useMemo, useRef, useState } from 'react';
import { ENGLISH, NO_PROMPT_API, promptApi, type Availability } from '../../lib/llm/prompt-api.ts';
import { message } from '../common/ErrorLine.tsx';

type State = Availability | 'checking' | 'missing';

/**
 * "On this device": whether the browser offers its built-in model (Chrome's Prompt API), and the one-time
 * model download with a progress bar from the API's `downloadprogress` events. The download starts from a
 * click here, because the browser requires a user gesture to start it from an extension page.
 */
export function OnDeviceModel({ onReady }: { onReady(ready: boolean): void }) {
  const api = useMemo(() => promptApi(), []);
  const [state, setState] = useState<State>(api ? 'checking' : 'missing');
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string>();
  const abort = useRef<AbortController>(undefined);

  const check = async () => {
    if (!api) return;
    setState(await api.availability(ENGLISH).catch((err: unknown) => (setError(message(err)), 'unavailable' as const)));
  };
  useEffect(() => void check(), [api]);
  useEffect(() => onReady(state === 'available'), [state]);

  const download = async () => {
    if (!api) return;
    setError(undefined);
    setProgress(0);
    setState('downloading');
    abort.current = new AbortController();
    try {
      const session = await api.create({
        ...ENGLISH,
        signal: abort.current.signal,
        monitor: (m) => m.addEventListener('downloadprogress', (e) => setProgress(e.loaded)),
      });
      session.destroy();
    } catch (err) {
      setError((err as { name?: string }).name === 'AbortError' ? 'download cancelled' : message(err));
    }
    abort.current = undefined;
    await check();
  };

  return (
    <div className="notice" data-testid="on-device" data-state={state}>
      {state === 'missing' && <p className="warn">{NO_PROMPT_API[0]!.toUpperCase() + NO_PROMPT_API.slice(1)}.</p>}
      {state === 'checking' && <p>Asking the browser about its built-in model…</p>}
      {state === 'unavailable' && (
        <p className="warn">
          This browser has the Prompt API but no built-in model it can run here: Chromium builds ship none, and Chrome offers one
          only on desktops that meet its hardware and disk-space requirements. Pick another provider.
        </p>
      )}
      {state === 'downloadable' && (
        <>
          <p>The model is not on this device yet. The browser downloads it once, from its maker (several gigabytes), and keeps it for every site and extension that uses it.</p>
          <button type="button" onClick={() => void download()}>
            Download the model
          </button>
        </>
      )}
      {state === 'downloading' && (
        <div className="row">
          <label>
            Downloading the model{' '}
            <progress max={1} value={progress} data-testid="on-device-progress">
              {Math.round(progress * 100)}%
            </progress>{' '}
            {Math.round(progress * 100)}%
          </label>
          {abort.current && (
            <button type="button" onClick={() => abort.current?.abort()}>
              Cancel
            </button>
          )}
        </div>
      )}
      {state === 'available' && <p className="ok">The built-in model is on this device and ready.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

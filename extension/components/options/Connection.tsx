import { useEffect, useState, type FormEvent } from 'react';
import { callBackground } from '../../lib/messages/client.ts';
import { LlmConnection, type RedactedConnection } from '../../lib/llm/connection.ts';
import type { OriginStatus } from '../../lib/messages/protocol.ts';
import { ErrorLine, message } from '../common/ErrorLine.tsx';
import { DataFlow } from './DataFlow.tsx';
import { OnDeviceModel } from './OnDeviceModel.tsx';

type Kind = LlmConnection['kind'];

/**
 * Where the LLM is. The key goes straight to the background (storage.local) and is never shown again;
 * the page only gets back where it points and the key's last characters.
 */
export function Connection() {
  const [saved, setSaved] = useState<RedactedConnection | null>();
  const [kind, setKind] = useState<Kind>('openai');
  const [fields, setFields] = useState({ apiKey: '', model: '', baseUrl: '', serverUrl: '', token: '' });
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [origin, setOrigin] = useState<OriginStatus>();
  const [onDeviceReady, setOnDeviceReady] = useState(false);
  const refreshOrigin = () => void callBackground('llm/origin', {}).then(setOrigin, () => setOrigin(undefined));

  useEffect(() => {
    refreshOrigin();
    void callBackground('llm/get', {}).then((c) => {
      setSaved(c);
      if (!c) return;
      setKind(c.kind);
      setFields((f) => ({
        ...f,
        model: c.model ?? '',
        baseUrl: c.kind === 'compatible' ? c.url : f.baseUrl,
        serverUrl: c.kind === 'zipp' ? c.url : f.serverUrl,
      }));
    });
  }, []);

  const set = (k: keyof typeof fields) => (e: { target: { value: string } }) => setFields({ ...fields, [k]: e.target.value });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setStatus(undefined);
    const candidate =
      kind === 'openai'
        ? { kind, apiKey: fields.apiKey, ...(fields.model ? { model: fields.model } : {}) }
        : kind === 'compatible'
          ? { kind, baseUrl: fields.baseUrl, model: fields.model, ...(fields.apiKey ? { apiKey: fields.apiKey } : {}) }
          : kind === 'zipp'
            ? { kind, serverUrl: fields.serverUrl, token: fields.token }
            : { kind };
    const parsed = LlmConnection.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setError(issue ? `${String(issue.path.at(-1) ?? 'connection')}: ${issue.message}` : 'invalid connection');
      return;
    }
    setBusy(true);
    try {
      setSaved(await callBackground('llm/save', { connection: parsed.data }));
      refreshOrigin();
      setFields((f) => ({ ...f, apiKey: '', token: '' }));
      setStatus('Saved. Testing…');
      const check = await callBackground('llm/test', {});
      setStatus(`Connected: ${check.model} answered.`);
    } catch (err) {
      setStatus(undefined);
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const test = async () => {
    setError(undefined);
    setStatus('Testing…');
    try {
      const check = await callBackground('llm/test', {});
      setStatus(`Connected: ${check.model} answered.`);
    } catch (err) {
      setStatus(undefined);
      setError(message(err));
    }
  };

  return (
    <section aria-labelledby="connection-title">
      <h2 id="connection-title">Connection</h2>
      <p>ZIPP asks a language model to rewrite your prompts. Only ZIPP's background talks to it; web pages never see your key.</p>
      {saved && (
        <p className="notice" data-testid="connection-saved">
          Now using {saved.kind === 'openai' ? 'OpenAI' : saved.kind === 'compatible' ? 'an OpenAI-compatible server' : saved.kind === 'zipp' ? 'a ZIPP server' : 'the built-in model'} at {saved.url}
          {saved.model ? ` (${saved.model})` : ''}
          {saved.keyHint ? `, key ${saved.keyHint}` : ''}.
        </p>
      )}
      <form onSubmit={(e) => void save(e)} className="form">
        <fieldset>
          <legend>Provider</legend>
          {(
            [
              ['openai', 'OpenAI'],
              ['compatible', 'OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio)'],
              ['zipp', 'ZIPP server'],
              ['on-device', "On this device (the browser's built-in model)"],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="radio">
              <input type="radio" name="kind" value={value} checked={kind === value} onChange={() => setKind(value)} /> {label}
            </label>
          ))}
        </fieldset>
        {kind === 'compatible' && (
          <label>
            Server URL
            <input name="baseUrl" value={fields.baseUrl} onChange={set('baseUrl')} placeholder="http://127.0.0.1:11434/v1" />
          </label>
        )}
        {kind === 'zipp' && (
          <>
            <label>
              ZIPP server URL
              <input name="serverUrl" value={fields.serverUrl} onChange={set('serverUrl')} placeholder="http://127.0.0.1:8787" />
            </label>
            <label>
              Token
              <input name="token" type="password" value={fields.token} onChange={set('token')} placeholder={saved?.kind === 'zipp' ? 'unchanged' : 'printed by zipp serve'} autoComplete="off" />
            </label>
          </>
        )}
        {kind === 'on-device' && <OnDeviceModel onReady={setOnDeviceReady} />}
        {(kind === 'openai' || kind === 'compatible') && (
          <>
            <label>
              API key{kind === 'compatible' ? ' (if the server needs one)' : ''}
              <input name="apiKey" type="password" value={fields.apiKey} onChange={set('apiKey')} placeholder={kind === 'openai' ? 'sk-…' : 'optional'} autoComplete="off" />
            </label>
            <label>
              Model
              <input name="model" value={fields.model} onChange={set('model')} placeholder={kind === 'openai' ? 'gpt-4o-mini' : 'llama3.1'} />
            </label>
          </>
        )}
        <DataFlow kind={kind} url={kind === 'compatible' ? fields.baseUrl.trim() : kind === 'zipp' ? fields.serverUrl.trim() : ''} />
        <div className="row">
          <button className="primary" type="submit" disabled={busy || (kind === 'on-device' && !onDeviceReady)}>
            Save and test
          </button>
          {saved && (
            <button type="button" onClick={() => void test()} disabled={busy}>
              Test again
            </button>
          )}
        </div>
        {status && (
          <p className="ok" role="status" data-testid="connection-status">
            {status}
          </p>
        )}
        <ErrorLine error={error} />
        {saved && saved.kind === kind && <OriginNote status={origin} />}
      </form>
    </section>
  );
}

/** Whether Ollama-style Origin checks can get in the way, and the server-side fix where they can. */
function OriginNote({ status }: { status: OriginStatus | undefined }) {
  if (!status || status.state === 'none') return null;
  if (status.state === 'active') {
    return (
      <p className="hint" data-testid="origin-note">
        ZIPP sends its own requests to {status.server} without an <code>Origin</code> header, so Ollama and similar servers accept
        them without any <code>OLLAMA_ORIGINS</code> setting. Web pages' requests to that server are not changed.
      </p>
    );
  }
  return (
    <p className="warn" data-testid="origin-note">
      This browser cannot drop the <code>Origin</code> header from ZIPP's requests ({status.reason}). If {status.server} is Ollama, it
      answers 403 until you restart it with <code>{status.fix}</code> set (e.g. <code>{status.fix} ollama serve</code>).
    </p>
  );
}

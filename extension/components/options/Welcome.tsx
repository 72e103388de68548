import { useEffect, useState } from 'react';
import { callBackground } from '../../lib/messages/client.ts';
import type { RedactedConnection } from '../../lib/llm/connection.ts';
import { SITE_ADAPTERS } from '../../lib/sites/catalog.ts';
import { updatePreferences } from '../../lib/store/preferences.ts';
import { pageDb, useLive } from '../common/db.ts';
import type { SectionId } from './sections.ts';

/** First run: connect an LLM, make a persona, then use the button on a site. */
export function Welcome({ go }: { go(id: SectionId): void }) {
  const [llm, setLlm] = useState<RedactedConnection | null | undefined>(undefined);
  const personas = useLive((db) => db.personas.count());
  useEffect(() => {
    void callBackground('llm/get', {}).then(setLlm, () => setLlm(null));
  }, []);
  const done = async () => {
    await updatePreferences(pageDb(), { onboarded: true });
    go('personas');
  };
  return (
    <section aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome to ZIPP</h2>
      <p>
        ZIPP rewrites the prompt you type on image-generation sites so the pictures fit you. It keeps a short description of you — a
        persona — on this computer, and asks a language model to rewrite each prompt as that person would write it.
      </p>
      <ol className="steps">
        <li data-done={!!llm}>
          <h3>1. Connect a language model</h3>
          <p>{llm
              ? llm.kind === 'on-device'
                ? "Connected: the browser's built-in model, on this device."
                : `Connected: ${llm.kind === 'zipp' ? 'ZIPP server' : llm.model} at ${llm.url}.`
              : "An OpenAI key, a local server (Ollama, llama.cpp), a ZIPP server, or the browser's built-in model."}</p>
          <button onClick={() => go('connection')}>{llm ? 'Change connection' : 'Connect'}</button>
        </li>
        <li data-done={!!personas}>
          <h3>2. Make a persona</h3>
          <p>{personas ? `You have ${personas} persona${personas === 1 ? '' : 's'}.` : 'Write a few sentences about yourself, answer ten questions, or let ZIPP infer one from the communities you take part in.'}</p>
          <button onClick={() => go('personas')}>Write one</button> <button onClick={() => go('infer')}>Infer one</button>
        </li>
        <li>
          <h3>3. Rewrite a prompt</h3>
          <p>
            On {SITE_ADAPTERS.map((a) => a.label).join(', ')}, a small <b>Z</b> button sits in the prompt box: click it or press{' '}
            <kbd>Alt</kbd>+<kbd>Shift</kbd>+<kbd>R</kbd>. Check the changes, then Accept. <kbd>Ctrl</kbd>+<kbd>Z</kbd> puts your prompt back. On any
            other site, switch ZIPP on from its toolbar popup first.
          </p>
        </li>
      </ol>
      <button className="primary" onClick={() => void done()}>
        Done
      </button>
    </section>
  );
}

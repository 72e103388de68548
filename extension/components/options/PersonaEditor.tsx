import { useState, type FormEvent } from 'react';
import type { Persona, PersonaEvidence, PersonaSource } from '../../../shared/schemas/persona.ts';
import { countTokens } from '../../../shared/text/tokens.ts';
import { PERSONA_MAX_TOKENS } from '../../../shared/schemas/persona.ts';
import { savePersona } from '../../lib/store/personas.ts';
import { pageDb } from '../common/db.ts';
import { ErrorLine, message } from '../common/ErrorLine.tsx';
import { Evidence } from './Evidence.tsx';
import { SensitiveFindings } from './SensitiveText.tsx';

export interface Draft {
  id?: string;
  name: string;
  text: string;
  source: PersonaSource;
  evidence?: PersonaEvidence;
}

/** Edit a persona (or a generated draft) by hand, with the sensitive-attribute findings shown as you type. */
export function PersonaEditor({ draft, onDone }: { draft: Draft; onDone(saved?: Persona): void }) {
  const [name, setName] = useState(draft.name);
  const [text, setText] = useState(draft.text);
  const [error, setError] = useState<string>();
  const tokens = countTokens(text);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (tokens > PERSONA_MAX_TOKENS) return setError(`the persona is ${tokens} tokens; keep it under ${PERSONA_MAX_TOKENS}`);
    try {
      onDone(await savePersona(pageDb(), { ...draft, name, text }));
    } catch (err) {
      const m = message(err);
      setError(m.startsWith('[') ? (JSON.parse(m) as { message: string }[])[0]?.message : m);
    }
  };

  return (
    <form className="form persona-editor" onSubmit={(e) => void save(e)} aria-label="Persona editor">
      <label>
        Name
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Weekend film photographer" />
      </label>
      <label>
        Who you are, in the second person
        <textarea
          name="text"
          rows={8}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="You are a hospital pharmacist in Porto who spends weekends hiking the coast with an old film camera…"
        />
      </label>
      <p className="hint">
        {tokens} tokens. Write as “You are… / You like…”; concrete interests and places steer images best.
      </p>
      <SensitiveFindings text={text} />
      {draft.evidence && <Evidence evidence={draft.evidence} />}
      <div className="row">
        <button className="primary" type="submit">
          Save persona
        </button>
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
      <ErrorLine error={error} />
    </form>
  );
}

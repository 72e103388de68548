import { useState } from 'react';
import type { Persona } from '../../../shared/schemas/persona.ts';
import { deletePersona, listPersonas, setActivePersona } from '../../lib/store/personas.ts';
import { getPreferences } from '../../lib/store/preferences.ts';
import { pageDb, useLive } from '../common/db.ts';
import type { SectionId } from './sections.ts';
import { PersonaEditor, type Draft } from './PersonaEditor.tsx';
import { Questionnaire } from './Questionnaire.tsx';

const SOURCE: Record<Persona['source'], string> = {
  manual: 'written by you',
  questionnaire: 'from the questionnaire',
  communities: 'inferred from communities',
  export: 'inferred from your Reddit export',
};

/** Your personas: pick the active one, edit, delete, or make a new one three ways. */
export function Personas({ go }: { go(id: SectionId): void }) {
  const personas = useLive((db) => listPersonas(db));
  const prefs = useLive((db) => getPreferences(db));
  const [mode, setMode] = useState<{ kind: 'list' } | { kind: 'edit'; draft: Draft } | { kind: 'questionnaire' }>({ kind: 'list' });

  if (mode.kind === 'edit') {
    return (
      <section aria-labelledby="persona-edit-title">
        <h2 id="persona-edit-title">{mode.draft.id ? 'Edit persona' : 'New persona'}</h2>
        <PersonaEditor draft={mode.draft} onDone={() => setMode({ kind: 'list' })} />
      </section>
    );
  }
  if (mode.kind === 'questionnaire') {
    return (
      <section aria-labelledby="questionnaire-title">
        <h2 id="questionnaire-title">Ten questions</h2>
        <Questionnaire onDraft={(draft) => setMode({ kind: 'edit', draft })} onCancel={() => setMode({ kind: 'list' })} />
      </section>
    );
  }
  return (
    <section aria-labelledby="personas-title">
      <h2 id="personas-title">Personas</h2>
      <p>The active persona rewrites your prompts (a site can have its own, under Sites).</p>
      <div className="row">
        <button className="primary" onClick={() => setMode({ kind: 'edit', draft: { name: '', text: '', source: 'manual' } })}>
          Write a persona
        </button>
        <button onClick={() => setMode({ kind: 'questionnaire' })}>Answer ten questions</button>
        <button onClick={() => go('infer')}>Infer from communities</button>
      </div>
      {personas?.length === 0 && <p className="hint">No persona yet.</p>}
      <ul className="cards" aria-label="Your personas">
        {personas?.map((p) => (
          <li key={p.id} className="card" data-testid="persona-card">
            <label className="radio">
              <input
                type="radio"
                name="active"
                checked={prefs?.activePersonaId === p.id}
                onChange={() => void setActivePersona(pageDb(), p.id)}
                aria-label={`Use ${p.name} for rewrites`}
              />
              <b>{p.name}</b> <span className="hint">{SOURCE[p.source]}</span>
              {prefs?.activePersonaId === p.id && <span className="tag">active</span>}
            </label>
            <p className="snippet">{p.text}</p>
            <div className="row">
              <button onClick={() => setMode({ kind: 'edit', draft: p })}>Edit</button>
              <button
                onClick={() => {
                  if (confirm(`Delete the persona “${p.name}”?`)) void deletePersona(pageDb(), p.id);
                }}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

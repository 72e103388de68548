import { useState, type FormEvent } from 'react';
import { QUESTIONNAIRE, QuestionnaireAnswers } from '../../../shared/persona/questionnaire.ts';
import { callBackground } from '../../lib/messages/client.ts';
import { ErrorLine, message } from '../common/ErrorLine.tsx';
import type { Draft } from './PersonaEditor.tsx';

/**
 * The ten intake questions (demographics, interests, personality, a usual weekend — nothing about
 * visual taste). The LLM turns the answers into a persona you can edit before saving.
 */
export function Questionnaire({ onDraft, onCancel }: { onDraft(d: Draft): void; onCancel(): void }) {
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const parsed = QuestionnaireAnswers.safeParse(answers);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const q = QUESTIONNAIRE.find((x) => x.id === issue.path[0]);
      return setError(`${q ? `“${q.prompt}”` : 'an answer'}: ${issue.message}`);
    }
    setBusy(true);
    try {
      const result = await callBackground('persona/questionnaire', { answers: parsed.data });
      onDraft({ name: `${parsed.data.profession} (questionnaire)`.slice(0, 120), text: result.text, source: 'questionnaire', evidence: result.evidence });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Intake questionnaire">
      {QUESTIONNAIRE.map((q) => (
        <label key={q.id}>
          {q.prompt}
          {q.kind === 'choice' ? (
            <select name={q.id} value={answers[q.id] ?? ''} onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.value })}>
              <option value="" disabled>
                Choose…
              </option>
              {q.options?.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : q.id === 'typicalWeekend' || q.id === 'topics' ? (
            <textarea name={q.id} rows={2} value={answers[q.id] ?? ''} placeholder={q.placeholder} onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.value })} />
          ) : (
            <input name={q.id} value={answers[q.id] ?? ''} placeholder={q.placeholder} onChange={(e) => setAnswers({ ...answers, [q.id]: e.target.value })} />
          )}
        </label>
      ))}
      <div className="row">
        <button className="primary" type="submit" disabled={busy}>
          {busy ? 'Writing your persona…' : 'Write my persona'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorLine error={error} />
    </form>
  );
}

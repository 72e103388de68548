import { useMemo } from 'react';
import { findSensitive, type SensitiveCategory } from '../../../shared/persona/sensitive.ts';

const LABEL: Record<SensitiveCategory, string> = {
  'race-ethnicity': 'race or ethnicity',
  politics: 'political views',
  religion: 'religion',
  'sexual-orientation': 'sexual orientation',
  health: 'health',
};

/**
 * The persona text with every sensitive attribution marked, and a line per finding. ZIPP never removes
 * anything from a persona the person writes themselves; it shows what an image model would be told.
 */
export function SensitiveFindings({ text }: { text: string }) {
  const findings = useMemo(() => findSensitive(text), [text]);
  if (findings.length === 0) {
    return (
      <p className="hint" data-testid="sensitive-none">
        No sensitive attributes found.
      </p>
    );
  }
  const parts: (string | { text: string; category: SensitiveCategory })[] = [];
  let at = 0;
  for (const f of findings) {
    if (f.start < at) continue;
    parts.push(text.slice(at, f.start), { text: text.slice(f.start, f.end), category: f.category });
    at = f.end;
  }
  parts.push(text.slice(at));
  return (
    <div className="sensitive" data-testid="sensitive-findings">
      <p className="warn">
        {findings.length === 1 ? 'One phrase tells' : `${findings.length} phrases tell`} the model something sensitive about you. Rewrites may lean on
        it; remove it unless you want that.
      </p>
      <p className="mirror">
        {parts.map((p, i) =>
          typeof p === 'string' ? (
            <span key={i}>{p}</span>
          ) : (
            <mark key={i} title={LABEL[p.category]}>
              {p.text}
            </mark>
          ),
        )}
      </p>
      <ul>
        {findings.map((f) => (
          <li key={`${f.start}-${f.category}`}>
            “{f.match}” — {LABEL[f.category]}
          </li>
        ))}
      </ul>
    </div>
  );
}

import type { PersonaEvidence } from '../../../shared/schemas/persona.ts';
import { communityDisplayName } from '../../../shared/community/name.ts';
import { AttentionBars } from './AttentionBars.tsx';

/** What a generated persona was built from: the weighted communities, the texts, what was removed. */
export function Evidence({ evidence }: { evidence: PersonaEvidence }) {
  return (
    <details className="evidence" open data-testid="persona-evidence">
      <summary>
        Evidence used{evidence.template ? ` (${evidence.template}` : ''}
        {evidence.model ? `, ${evidence.model})` : evidence.template ? ')' : ''}
      </summary>
      {evidence.communities.length > 0 && <AttentionBars rows={evidence.communities.slice(0, 20).map((c) => ({ label: communityDisplayName(c.name), weight: c.weight }))} />}
      {evidence.items.length > 0 && (
        <>
          <h4>Your texts the model read ({evidence.items.length})</h4>
          <ul className="evidence-items">
            {evidence.items.slice(0, 30).map((item, i) => (
              <li key={i}>
                <span className="tag">r/{item.community}</span> {item.text}
              </li>
            ))}
          </ul>
        </>
      )}
      {evidence.removed.length > 0 && (
        <>
          <h4>Removed by the sensitive-attribute guard</h4>
          <ul>
            {evidence.removed.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}
    </details>
  );
}

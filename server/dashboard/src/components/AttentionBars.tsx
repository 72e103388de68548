import { communityDisplayName } from '../../../../shared/community/name.ts';
import type { RankedCommunity } from '../../../../shared/api/personas.ts';

/** Ranked communities (as /v1/personas/infer answers them) as horizontal bars, longest = most attention. */
export function AttentionBars({ ranked }: { ranked: readonly Pick<RankedCommunity, 'name' | 'label' | 'attention'>[] }) {
  const max = Math.max(...ranked.map((r) => r.attention), 1e-9);
  return (
    <ol className="bars" data-testid="attention-bars">
      {ranked.map((r) => (
        <li key={r.name}>
          <span className="bar-label">{communityDisplayName(r.label)}</span>
          <span className="bar-track">
            <span className="bar" style={{ width: `${(100 * r.attention) / max}%` }} />
          </span>
          <span className="bar-value">{(100 * r.attention).toFixed(1)}%</span>
        </li>
      ))}
    </ol>
  );
}

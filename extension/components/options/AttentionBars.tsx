/** Horizontal bars, longest first: a community's share of the persona (attention or importance). */
export function AttentionBars({ rows, caption }: { rows: { label: string; weight: number; note?: string }[]; caption?: string }) {
  const max = Math.max(...rows.map((r) => r.weight), 1e-9);
  return (
    <table className="bars" data-testid="attention-bars">
      {caption && <caption>{caption}</caption>}
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td>
              <span className="bar" style={{ width: `${(r.weight / max) * 100}%` }} />
            </td>
            <td className="num">{(r.weight * 100).toFixed(1)}%</td>
            {r.note !== undefined && <td className="note">{r.note}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

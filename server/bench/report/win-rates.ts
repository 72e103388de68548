import type { WinRate } from '../../../shared/metrics/winrate.ts';
import { renderSvg, winRateChart } from './charts.ts';
import type { Block } from './document.ts';
import { count, pValue, share } from './format.ts';

/**
 * Pairwise win rates as a table and a chart (the paper's Table 15 layout): A, B, decisive trials, wins
 * each way, ties, A's win rate and the exact two-sided binomial p-value. Shared by the benchmark report
 * (automatic, per sample by CLIPScore) and the user study (human choices).
 */
export async function winRateBlocks(rows: readonly WinRate[], label: (id: string) => string, chartName: string, title: string): Promise<Block[]> {
  if (rows.length === 0) return [{ kind: 'text', text: 'No comparisons yet.' }];
  const table: Block = {
    kind: 'table',
    table: {
      head: ['A', 'B', 'n', 'wins A', 'wins B', 'ties', 'win rate A', 'p (binomial)'],
      numericFrom: 2,
      rows: rows.map((r) => [label(r.a), label(r.b), count(r.n), count(r.wins_a), count(r.wins_b), count(r.ties), share(r.win_rate_a), pValue(r.p_value)]),
    },
  };
  const decisive = rows.filter((r) => r.n > 0);
  if (decisive.length === 0) return [table];
  const svg = await renderSvg(
    winRateChart(
      decisive.map((r) => ({ comparison: `${label(r.a)} vs ${label(r.b)}`, winRate: 100 * r.win_rate_a, significant: r.p_value < 0.05 ? 'p < 0.05' : 'n.s.' })),
      title,
    ),
  );
  return [table, { kind: 'chart', chart: { name: chartName, alt: title, svg } }];
}

import { significanceLabel, type PairedComparison } from '../../../shared/metrics/paired.ts';
import type { WinRate } from '../../../shared/metrics/winrate.ts';
import { renderSvg, winRateChart } from './charts.ts';
import type { Block } from './document.ts';
import { count, fixed, pValue, share } from './format.ts';

/**
 * Pairwise win rates as a table and a chart (the paper's Table 15 layout): A, B, decisive trials, wins
 * each way, ties, A's win rate and the exact two-sided binomial p-value: the user study's human choices.
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
  return [table, ...(await chartBlock(rows, label, chartName, title))];
}

/**
 * The benchmark's paired comparisons: per pair of methods, one trial per (user, prompt) with each
 * method's CLIPScore averaged over seeds; wins, ties, the win rate and the mean difference with their
 * bootstrap intervals, the exact binomial p, and what the counts can support.
 */
export async function pairedBlocks(rows: readonly PairedComparison[], label: (id: string) => string, chartName: string, title: string): Promise<Block[]> {
  if (rows.length === 0) return [{ kind: 'text', text: 'No comparisons.' }];
  const level = `${Math.round(100 * rows[0]!.level)}%`;
  const table: Block = {
    kind: 'table',
    table: {
      head: ['A', 'B', 'trials', 'wins A', 'wins B', 'ties', `win rate A [${level} CI]`, `mean A − B [${level} CI]`, 'p (binomial)', 'p (Holm)', 'evidence'],
      numericFrom: 2,
      rows: rows.map((r) => [
        label(r.a),
        label(r.b),
        count(r.trials),
        count(r.wins_a),
        count(r.wins_b),
        count(r.ties),
        `${share(r.win_rate_a)} [${share(r.win_rate_ci[0])}, ${share(r.win_rate_ci[1])}]`,
        `${fixed(r.mean_diff)} [${fixed(r.diff_ci[0])}, ${fixed(r.diff_ci[1])}]`,
        pValue(r.p_value),
        r.p_holm === undefined ? '–' : pValue(r.p_holm),
        significanceLabel(r),
      ]),
    },
  };
  return [table, ...(await chartBlock(rows, label, chartName, title))];
}

/** A's win rate per pair as a bar chart (pairs with a decisive trial only). */
async function chartBlock(rows: readonly WinRate[], label: (id: string) => string, chartName: string, title: string): Promise<Block[]> {
  const decisive = rows.filter((r) => r.n > 0);
  if (decisive.length === 0) return [];
  const svg = await renderSvg(
    winRateChart(
      decisive.map((r) => ({ comparison: `${label(r.a)} vs ${label(r.b)}`, winRate: 100 * r.win_rate_a, significant: ((r as Partial<PairedComparison>).p_holm ?? r.p_value) < 0.05 ? 'p < 0.05' : 'n.s.' })),
      title,
    ),
  );
  return [{ kind: 'chart', chart: { name: chartName, alt: title, svg } }];
}

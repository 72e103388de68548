import { z } from 'zod';
import { encodeAxis } from '../../../shared/metrics/categories.ts';
import { ipfReport, type IpfReport } from '../../../shared/metrics/subgroups.ts';
import { loadTargets, wppLabels, type RegionScheme } from '../../datasets/population.ts';
import { formatTable, numberFlag, wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { readScoresCsv, type ScoresTable } from '../../eval/scores-file.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'metrics ipf',
  summary: 'IPF-reweighted aggregate and per-subgroup tables',
  options: {
    scores: { type: 'string', placeholder: 'FILE', description: 'CSV with columns user,score and one column per demographic axis' },
    targets: {
      type: 'string',
      placeholder: 'T',
      description: 'population shares: a JSON file {"axis": {"category": share}}, wpp2024 / wpp2024-subregion (default wpp2024), or several comma-separated (wpp2024,age.json: later ones add or replace axes)',
    },
    epsilon: { type: 'string', placeholder: 'E', description: 'stop when every weighted marginal is within E of its target (default 1e-4)' },
    'max-iterations': { type: 'string', placeholder: 'N', description: 'give up after N full cycles over the axes (default 100)' },
    'drop-missing': { type: 'boolean', description: 'leave out sample categories absent from the targets and targets with no sample (reported)' },
    json: { type: 'boolean', description: 'print the full report as JSON' },
  },
  details: `
Raking (iterative proportional fitting) of per-user scores to population marginals, as the paper's
Algorithm 1. Reports raw vs IPF mean, Δ%, and per axis and category: n, sample share, target share and
mean score; σ (population) and range over all subgroup means.
With wpp2024 targets the axes are region (UN continental regions; wpp2024-subregion: the 22 UN
sub-regions) and gender (female/male); a country column is mapped to its region.
Examples:
  zipp metrics ipf --scores scores.csv --targets targets.json --json
  zipp metrics ipf --scores scores.csv --targets wpp2024 --drop-missing`,
  schema: z.object({
    scores: z.string({ error: 'required: the per-user scores CSV' }).min(1),
    targets: z.string().min(1).optional(),
    epsilon: numberFlag().optional(),
    maxIterations: wholeFlag(1).optional(),
    dropMissing: z.boolean().optional(),
    json: z.boolean().optional(),
  }),
  async run(args, io) {
    const table = await readScoresCsv(args.scores);
    const { targets, scheme } = await loadTargets((args.targets ?? 'wpp2024').split(',').map((t) => t.trim()).filter(Boolean));
    if (scheme) await adaptToWpp(table, scheme);
    const axes = Object.entries(table.axes).map(([name, labels]) => encodeAxis(name, labels));
    const report = ipfReport(table.scores, axes, targets, {
      epsilon: args.epsilon ?? 1e-4,
      maxIterations: args.maxIterations ?? 100,
      dropMissing: args.dropMissing ?? false,
    });
    if (!report.converged) {
      io.stderr(`zipp: warning: IPF did not converge in ${report.iterations} iterations (largest gap ${report.max_discrepancy.toExponential(2)}); raise --max-iterations or check for empty cells`);
    }
    io.stdout(args.json ? toJson(report) : formatReport(report));
  },
});

/** WPP targets know `region` and `gender`: derive region from a country column and unify gender spellings. */
async function adaptToWpp(table: ScoresTable, scheme: RegionScheme): Promise<void> {
  const adapt = await wppLabels(scheme);
  const names = Object.keys(table.axes);
  const rows = table.users.map((_, i) => adapt(Object.fromEntries(names.map((a) => [a, table.axes[a]![i]!]))));
  table.axes = Object.fromEntries(Object.keys(rows[0] ?? {}).map((a) => [a, rows.map((r) => r[a]!)]));
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function formatReport(r: IpfReport): string {
  const lines = [
    `raw ${r.raw.toFixed(2)}${r.n_raked < r.n ? ` (raked users only: ${r.raw_raked.toFixed(2)})` : ''}   IPF ${r.ipf.toFixed(2)}   Δ ${r.delta_pct >= 0 ? '+' : ''}${r.delta_pct.toFixed(2)}%   (n ${r.n}${r.n_raked < r.n ? `, ${r.n_raked} raked` : ''}, ${r.iterations} iterations, ${r.converged ? 'converged' : 'NOT converged'}, largest gap ${r.max_discrepancy.toExponential(1)})`,
    `subgroup means: σ ${r.sigma.toFixed(2)}, range ${r.range.toFixed(2)}`,
    '',
  ];
  const rows = [['axis', 'category', 'n', 'sample', 'target', 'mean', 'IPF mean']];
  for (const [axis, cats] of Object.entries(r.subgroups)) {
    for (const [cat, s] of Object.entries(cats)) {
      rows.push([axis, cat, String(s.n), pct(s.sample_share), s.target_share === null ? 'no target' : pct(s.target_share), s.mean.toFixed(2), s.ipf_mean === null ? '–' : s.ipf_mean.toFixed(2)]);
    }
  }
  lines.push(formatTable(rows, 2));
  const dropped = [
    ...Object.entries(r.dropped.sampleCategories).flatMap(([a, cs]) => Object.entries(cs).map(([c, n]) => `${a}=${c} (${n} users, not in targets)`)),
    ...Object.entries(r.dropped.targetCategories).flatMap(([a, cs]) => Object.entries(cs).map(([c, s]) => `${a}=${c} (target ${pct(s)}, no users)`)),
  ];
  if (dropped.length) lines.push('', `dropped: ${dropped.join('; ')}`);
  return lines.join('\n');
}

import { z } from 'zod';
import { encodeAxis } from '../../../shared/metrics/categories.ts';
import type { Targets } from '../../../shared/metrics/ipf.ts';
import { ipfReport, type IpfReport } from '../../../shared/metrics/subgroups.ts';
import { countryRegionResolver, normaliseGender, readTargets, wppTargets, type RegionScheme } from '../../datasets/population.ts';
import { asUsage } from '../../eval/cli-args.ts';
import { formatTable, numberFlag, wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { readScoresCsv, type ScoresTable } from '../../eval/scores-file.ts';
import { defineCommand } from '../command.ts';

const WPP = { wpp2024: 'continent', 'wpp2024-subregion': 'subregion' } as const satisfies Record<string, RegionScheme>;

export default defineCommand({
  name: 'metrics ipf',
  summary: 'IPF-reweighted aggregate and per-subgroup tables',
  options: {
    scores: { type: 'string', placeholder: 'FILE', description: 'CSV with columns user,score and one column per demographic axis' },
    targets: {
      type: 'string',
      placeholder: 'T',
      description: 'population shares: a JSON file {"axis": {"category": share}}, or wpp2024 / wpp2024-subregion (default wpp2024)',
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
  run: (args, io) =>
    asUsage(async () => {
      const table = await readScoresCsv(args.scores);
      const source = args.targets ?? 'wpp2024';
      const scheme = source in WPP ? WPP[source as keyof typeof WPP] : undefined;
      const targets: Targets = scheme ? await wppTargets(scheme) : await readTargets(source);
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
    }),
});

/** WPP targets know `region` and `gender`: derive region from a country column and unify gender spellings. */
async function adaptToWpp(table: ScoresTable, scheme: RegionScheme): Promise<void> {
  if (!table.axes.region && table.axes.country) {
    const region = await countryRegionResolver(scheme);
    table.axes.region = table.axes.country.map(region);
    delete table.axes.country;
  }
  if (table.axes.gender) table.axes.gender = table.axes.gender.map(normaliseGender);
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function formatReport(r: IpfReport): string {
  const lines = [
    `raw ${r.raw.toFixed(2)}   IPF ${r.ipf.toFixed(2)}   Δ ${r.delta_pct >= 0 ? '+' : ''}${r.delta_pct.toFixed(2)}%   (n ${r.n}, ${r.iterations} iterations, ${r.converged ? 'converged' : 'NOT converged'}, largest gap ${r.max_discrepancy.toExponential(1)})`,
    `subgroup means: σ ${r.sigma.toFixed(2)}, range ${r.range.toFixed(2)}`,
    '',
  ];
  const rows = [['axis', 'category', 'n', 'sample', 'target', 'mean', 'IPF mean']];
  for (const [axis, cats] of Object.entries(r.subgroups)) {
    for (const [cat, s] of Object.entries(cats)) {
      rows.push([axis, cat, String(s.n), pct(s.sample_share), pct(s.target_share), s.mean.toFixed(2), s.ipf_mean.toFixed(2)]);
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

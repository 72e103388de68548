import { encodeAxis } from '../../shared/metrics/categories.ts';
import type { Targets } from '../../shared/metrics/ipf.ts';
import { ipfReport, type IpfReport } from '../../shared/metrics/subgroups.ts';
import { InputError } from '../../shared/errors.ts';
import { loadTargets, wppLabels, type LoadedTargets } from '../datasets/population.ts';

/**
 * Demographic reweighting of a run (the paper's App. B.5, Tables 13–14): IPF on every demographic axis
 * the users have (age, gender, country → UN region, language, profession) for which the targets have
 * marginals — the paper's K = 5 when all five exist. Targets: WPP 2024 for region and gender (the
 * population by sex), user-supplied files for the others. The raw aggregate is over every user; users
 * whose category has no target (or who lack a label) take no part in raking and are listed, and every
 * axis — raked or not — gets its per-subgroup rows.
 */
export interface IpfPlan {
  sources: string[];
  loaded: LoadedTargets;
  /** Axes raked (the users have them and the targets cover them). */
  raked: string[];
  /** Axes the users have but no target covers: tabulated only. */
  tabulated: string[];
  /** Target axes no user has. */
  unused: string[];
  label: (d: Readonly<Record<string, string>>) => Record<string, string>;
}

/** The label of a user who did not give one on an axis: a category without a target. */
export const NOT_GIVEN = '(not given)';

/**
 * Which axes a run rakes, from the users' demographics, the targets and `ipf.axes`. An axis named in
 * `ipf.axes` that the users or the targets lack is bad input (exit 2 before any work); undefined when no
 * user has demographics or nothing can be raked (`skipped` says why).
 */
export async function planIpf(sources: readonly string[], axes: readonly string[] | undefined, demographics: Record<string, Record<string, string>>): Promise<IpfPlan | { skipped: string }> {
  const loaded = await loadTargets(sources);
  const adapt = loaded.scheme ? await wppLabels(loaded.scheme, { unknownCountry: 'keep' }) : (d: Readonly<Record<string, string>>) => ({ ...d });
  const label = (d: Readonly<Record<string, string>>) => adapt(Object.fromEntries(Object.entries(d).filter(([, v]) => v.trim())));
  const labelled = Object.values(demographics).map(label);
  const have = [...new Set(labelled.flatMap((d) => Object.keys(d)))];
  const covered = new Set(Object.keys(loaded.targets));
  const from = `the targets (${sources.join(', ')}) cover ${[...covered].join(', ') || 'no axis'}`;
  if (axes) {
    for (const a of axes) {
      if (!have.includes(a)) throw new InputError(`ipf.axes: no user has a '${a}' attribute (they have ${have.join(', ') || 'none'}); leave ${a} out of ipf.axes`);
      if (!covered.has(a)) {
        throw new InputError(`ipf.axes: ${from}, not '${a}'; add a targets file with {"${a}": {"<category>": share, ...}} to targets (e.g. "targets": ["wpp2024", "${a}.json"]), or leave ${a} out of ipf.axes`);
      }
    }
  }
  if (labelled.length === 0) return { skipped: 'no user has demographics, so there is nothing to reweight' };
  const raked = axes ? [...axes] : [...covered].filter((a) => have.includes(a));
  if (raked.length === 0) return { skipped: `no demographic attribute of the users (${have.join(', ')}) has targets: ${from}` };
  return { sources: [...sources], loaded, raked, tabulated: have.filter((a) => !raked.includes(a)), unused: [...covered].filter((a) => !have.includes(a)), label };
}

/** Raw vs IPF of one method's per-user scores; `users` are every user of the run, in a fixed order. */
export function reweight(plan: IpfPlan, users: readonly string[], demographics: Record<string, Record<string, string>>, scores: readonly number[]): IpfReport {
  const labels = users.map((u) => plan.label(demographics[u] ?? {}));
  const axis = (name: string) => encodeAxis(name, labels.map((d) => d[name] ?? NOT_GIVEN));
  const targets: Targets = Object.fromEntries(plan.raked.map((a) => [a, plan.loaded.targets[a]!]));
  return ipfReport(scores, plan.raked.map(axis), targets, { epsilon: 1e-4, maxIterations: 100, dropMissing: true, tabulate: plan.tabulated.map(axis) });
}

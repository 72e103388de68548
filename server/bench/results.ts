import { encodeAxis, type CategoricalAxis } from '../../shared/metrics/categories.ts';
import { clipScore } from '../../shared/metrics/clipscore.ts';
import { cmmd, cmmdWith } from '../../shared/metrics/cmmd.ts';
import type { Targets } from '../../shared/metrics/ipf.ts';
import { ipfReport, type IpfReport } from '../../shared/metrics/subgroups.ts';
import { winRates, type Comparison, type WinRate } from '../../shared/metrics/winrate.ts';
import type { Usage } from '../../shared/schemas/llm.ts';
import { countryRegionResolver, normaliseGender, readTargets, wppTargets } from '../datasets/population.ts';
import { chooseRbfBackend } from '../eval/cmmd-backend.ts';
import type { GuardCounts, Manifest, Sample } from './manifest.ts';
import { parseMethodSpec, personaPairs } from './methods.ts';
import { unitKey, type BenchStore } from './store.ts';

/**
 * The numbers of a finished run, computed from its manifest and store: CLIPScore per sample (×100,
 * image vs the user's original prompt), per user and per method × LLM; CMMD of each method's images
 * against the reference set; IPF-reweighted aggregates and per-subgroup tables where users have
 * demographics; pairwise win rates per sample with exact binomial p-values; LLM usage and cost.
 * CLIPScore vectors and CMMD values are stored as metric units keyed by their exact inputs, so a rerun
 * reads them instead of recomputing.
 */
export interface CellResult {
  /** LLM name; null for methods that use none. */
  llm: string | null;
  method: string;
  label: string;
  /** Mean over users of each user's mean CLIPScore (users weigh equally, as in the IPF raw aggregate). */
  clipscore: number;
  /** Standard deviation of the per-user means (n − 1). */
  sd: number;
  samples: number;
  users: number;
  cmmd?: number;
  guard?: GuardCounts;
  perUser: Record<string, number>;
}

export interface Fig3Row {
  llm: string;
  setting: string;
  without: string;
  with: string;
  clipscore_without: number;
  clipscore_with: number;
  delta_pct: number;
}

export interface IpfSection {
  targets: string;
  axes: string[];
  users: number;
  /** llm → method → report. */
  reports: Record<string, Record<string, IpfReport>>;
}

export interface LlmUsage extends Usage {
  cost?: number;
}

export interface BenchResults {
  cells: CellResult[];
  fig3: Fig3Row[];
  ipf?: IpfSection;
  /** Why there is no IPF section. */
  ipfSkipped?: string;
  /** llm name → pairwise rows (LLM-free methods included under every LLM). */
  winRates: Record<string, WinRate[]>;
  usage: Record<string, LlmUsage>;
  metrics: { computed: number; cached: number };
}

const CMMD_OPTIONS = { sigma: 10, scale: 1000 };
/** Two CLIPScores closer than this are a tie. */
const TIE = 1e-9;

export async function computeResults(manifest: Manifest, store: BenchStore, onCell?: (done: number, total: number) => void): Promise<BenchResults> {
  const counts = { computed: 0, cached: 0 };
  const cached = async <T>(key: string, compute: () => T | Promise<T>): Promise<T> => {
    const hit = store.getUnit<T>('metric', key);
    if (hit !== undefined) {
      counts.cached++;
      return hit;
    }
    const value = await compute();
    store.putUnit('metric', key, value);
    counts.computed++;
    return value;
  };

  const labels = new Map(manifest.methods.map((m) => [m.id, m.label]));
  const groups = new Map<string, Sample[]>();
  for (const s of manifest.samples) {
    const id = `${s.llm ?? ''}|${s.method}`;
    let list = groups.get(id);
    if (!list) groups.set(id, (list = []));
    list.push(s);
  }

  const refKeys = manifest.reference.images.map((r) => r.image);
  const cells: CellResult[] = [];
  const perSample = new Map<string, Map<string, number>>();
  let done = 0;
  for (const [id, samples] of groups) {
    const pairs = samples.map((s) => [s.image, s.text]);
    const scores = await cached(unitKey({ metric: 'clipscore', weight: 100, spaces: manifest.clip, pairs }), () => [
      ...clipScore(store.getEmbeddings(manifest.clip.image, samples.map((s) => s.image)), store.getEmbeddings(manifest.clip.text, samples.map((s) => s.text))).perPair,
    ]);
    perSample.set(id, new Map(samples.map((s, i) => [sampleId(s), scores[i]!])));
    const byUser = new Map<string, number[]>();
    samples.forEach((s, i) => {
      let list = byUser.get(s.user);
      if (!list) byUser.set(s.user, (list = []));
      list.push(scores[i]!);
    });
    const perUser = Object.fromEntries([...byUser].map(([u, list]) => [u, mean(list)]));
    const userMeans = Object.values(perUser);
    const first = samples[0]!;
    const cell: CellResult = {
      llm: first.llm,
      method: first.method,
      label: labels.get(first.method) ?? first.method,
      clipscore: mean(userMeans),
      sd: sampleSd(userMeans),
      samples: samples.length,
      users: userMeans.length,
      perUser,
    };
    if (refKeys.length) {
      const y = samples.map((s) => s.image);
      cell.cmmd = await cached(unitKey({ metric: 'cmmd', ...CMMD_OPTIONS, space: manifest.clip.image, x: refKeys, y }), async () => {
        const xm = store.getEmbeddings(manifest.clip.image, refKeys);
        const ym = store.getEmbeddings(manifest.clip.image, y);
        const backend = await chooseRbfBackend('auto', xm.rows, ym.rows);
        try {
          return (backend ? await cmmdWith(backend, xm, ym, CMMD_OPTIONS) : cmmd(xm, ym, CMMD_OPTIONS)).cmmd;
        } finally {
          await backend?.release();
        }
      });
    }
    const guard = manifest.guard[`${first.llm ?? ''}|${first.method}`];
    if (guard) cell.guard = guard;
    cells.push(cell);
    onCell?.(++done, groups.size);
  }

  const llmNames = manifest.llms.map((l) => l.name);
  const cellsOf = (llm: string) => cells.filter((c) => c.llm === llm || c.llm === null);
  const find = (llm: string, method: string) => cells.find((c) => c.method === method && (c.llm === llm || c.llm === null));

  const fig3: Fig3Row[] = [];
  for (const llm of llmNames) {
    for (const pair of personaPairs(manifest.methods.map((m) => parseMethodSpec(m.id)))) {
      const a = find(llm, pair.without.id);
      const b = find(llm, pair.with.id);
      if (!a || !b) continue;
      fig3.push({ llm, setting: pair.setting, without: a.method, with: b.method, clipscore_without: a.clipscore, clipscore_with: b.clipscore, delta_pct: pct(b.clipscore, a.clipscore) });
    }
  }

  const win: Record<string, WinRate[]> = {};
  const scopes = llmNames.length ? llmNames : ['(no LLM)'];
  for (const llm of scopes) {
    const mine = cells.filter((c) => c.llm === llm || c.llm === null);
    const comparisons: Comparison[] = [];
    for (let i = 0; i < mine.length; i++) {
      for (let j = i + 1; j < mine.length; j++) {
        const a = perSample.get(`${mine[i]!.llm ?? ''}|${mine[i]!.method}`)!;
        const b = perSample.get(`${mine[j]!.llm ?? ''}|${mine[j]!.method}`)!;
        for (const [sid, sa] of a) {
          const sb = b.get(sid);
          if (sb === undefined) continue;
          const winner = sa > sb + TIE ? mine[i]!.method : sb > sa + TIE ? mine[j]!.method : null;
          comparisons.push({ a: mine[i]!.method, b: mine[j]!.method, winner });
        }
      }
    }
    win[llm] = winRates(comparisons);
  }

  const usage: Record<string, LlmUsage> = {};
  for (const l of manifest.llms) {
    const u = manifest.usage[l.name];
    if (!u) continue;
    usage[l.name] = { ...u, ...(l.price ? { cost: (u.promptTokens * l.price.input + u.completionTokens * l.price.output) / 1e6 } : {}) };
  }

  const ipf = await ipfSection(manifest, llmNames.length ? llmNames : ['(no LLM)'], cellsOf, String(manifest.config.targets ?? 'wpp2024'));
  return { cells, fig3, ...ipf, winRates: win, usage, metrics: counts };
}

const sampleId = (s: Sample) => `${s.user}|${s.query}|${s.seed}`;
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const pct = (now: number, before: number) => (before === 0 ? 0 : (100 * (now - before)) / before);

function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Raw vs IPF aggregates and subgroup tables (the paper's Tables 13 and 14) over the users that have
 * demographics. WPP targets know `region` and `gender`: a `country` attribute is mapped to its UN region
 * and gender spellings are unified. Axes the targets have and every user has are raked; categories
 * missing on either side are dropped and listed in each report.
 */
async function ipfSection(
  manifest: Manifest,
  llms: readonly string[],
  cellsOf: (llm: string) => CellResult[],
  targetsSource: string,
): Promise<Pick<BenchResults, 'ipf' | 'ipfSkipped'>> {
  const users = Object.keys(manifest.demographics).filter((u) => Object.keys(manifest.demographics[u]!).length);
  if (users.length === 0) return { ipfSkipped: `the ${manifest.dataset.name} dataset has no demographics, so there is nothing to reweight` };
  const scheme = targetsSource === 'wpp2024' ? 'continent' : targetsSource === 'wpp2024-subregion' ? 'subregion' : undefined;
  const targets: Targets = scheme ? await wppTargets(scheme) : await readTargets(targetsSource);
  const region = scheme ? await countryRegionResolver(scheme) : undefined;
  const labelsOf = (u: string): Record<string, string> => {
    const d = { ...manifest.demographics[u]! };
    if (region && d.country && !d.region) d.region = region(d.country);
    if (scheme && d.gender) d.gender = normaliseGender(d.gender);
    return d;
  };
  const labelled = users.map(labelsOf);
  const axesNames = Object.keys(targets).filter((a) => labelled.every((d) => d[a]?.trim()));
  if (axesNames.length === 0) {
    return { ipfSkipped: `no demographic attribute of the users matches the targets' axes (${Object.keys(targets).join(', ')})` };
  }
  const axes: CategoricalAxis[] = axesNames.map((a) => encodeAxis(a, labelled.map((d) => d[a]!)));
  const reports: IpfSection['reports'] = {};
  for (const llm of llms) {
    reports[llm] = {};
    for (const cell of cellsOf(llm)) {
      const scores = users.map((u) => cell.perUser[u] ?? NaN);
      if (scores.some((s) => !Number.isFinite(s))) continue;
      reports[llm]![cell.method] = ipfReport(scores, axes, targets, { epsilon: 1e-4, maxIterations: 100, dropMissing: true });
    }
  }
  return { ipf: { targets: targetsSource, axes: axesNames, users: users.length, reports } };
}

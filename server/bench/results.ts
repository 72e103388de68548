import { clipScore, toHessel } from '../../shared/metrics/clipscore.ts';
import { cmmd, cmmdWith } from '../../shared/metrics/cmmd.ts';
import { IpfError } from '../../shared/metrics/ipf.ts';
import { pairedComparison, withHolm, type PairedComparison } from '../../shared/metrics/paired.ts';
import type { IpfReport } from '../../shared/metrics/subgroups.ts';
import type { Usage } from '../../shared/schemas/llm.ts';
import { chooseRbfBackend } from '../eval/cmmd-backend.ts';
import { planIpf, reweight } from './ipf.ts';
import type { GuardCounts, Manifest, Sample } from './manifest.ts';
import { parseMethodId, personaPairs } from './methods.ts';
import { unitKey, type BenchStore } from './store.ts';

/**
 * The numbers of a finished run, computed from its manifest and store:
 * - CLIPScore per sample (image vs the user's original prompt) on both scales — raw 100·max(cos, 0) and
 *   Hessel et al.'s 100·2.5·max(cos, 0), the scale of the paper's 58–80 — per user and per method × LLM;
 * - CMMD of each method's images against the reference set, pooled (google-research's biased estimator)
 *   and per user (the unbiased estimator, each user's images against their own reference, averaged over
 *   users with at least `minImages` on both sides);
 * - IPF-reweighted aggregates and per-subgroup tables where users have demographics (ipf.ts);
 * - paired comparisons of every two methods, one trial per (user, prompt) with seeds averaged;
 * - ZIP Lift per importance source (mined personas);
 * - LLM usage and cost.
 * CLIPScore vectors and CMMD values are stored as metric units keyed by their exact inputs, so a rerun
 * reads them instead of recomputing.
 */
export interface PerUserCmmd {
  /** Mean over the users counted. */
  mean: number;
  estimator: 'unbiased';
  minImages: number;
  /** Users with at least minImages generated and reference images, and their values. */
  perUser: Record<string, number>;
  /** Users left out for having fewer images on one side. */
  below: string[];
}

export interface CellResult {
  /** LLM name; null for methods that use none. */
  llm: string | null;
  method: string;
  label: string;
  /** Raw scale: mean over users of each user's mean 100·max(cos, 0) (users weigh equally, as in IPF's raw aggregate). */
  clipscore: number;
  /** The same on Hessel et al.'s scale (100·2.5·max(cos, 0)): 2.5 × clipscore. */
  clipscore_hessel: number;
  /** Standard deviation of the per-user means (n − 1), raw scale. */
  sd: number;
  samples: number;
  users: number;
  /** Pooled CMMD (biased estimator) of all the cell's images against the whole reference set. */
  cmmd?: number;
  cmmdPerUser?: PerUserCmmd;
  guard?: GuardCounts;
  /** Per-user mean CLIPScore, raw scale. */
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
  targets: string[];
  /** Axes raked, axes only tabulated (no targets), target axes no user has. */
  axes: string[];
  tabulated: string[];
  unused: string[];
  users: number;
  /** llm → method → report. */
  reports: Record<string, Record<string, IpfReport>>;
  /** llm → method → why raking failed for it. */
  failed: Record<string, Record<string, string>>;
}

/** One importance source's row of the paper's Table 10, per LLM. */
export interface ZipLiftRow {
  llm: string;
  importance: string;
  /** Posting accuracy of the source's ranker (see mined.ts), where it could be measured. */
  posting_accuracy?: number;
  ranker?: string;
  eval_users?: number;
  method: string;
  clipscore_persona: number;
  clipscore_baseline: number;
  /** 100 · (persona − baseline) / baseline: the same on either CLIPScore scale. */
  lift_pct: number;
}

export interface LlmUsage extends Usage {
  cost?: number;
}

export interface BenchResults {
  protocol: string;
  cells: CellResult[];
  fig3: Fig3Row[];
  ipf?: IpfSection;
  /** Why there is no IPF section. */
  ipfSkipped?: string;
  /** llm name → paired comparisons (LLM-free methods included under every LLM). */
  winRates: Record<string, PairedComparison[]>;
  zipLift: ZipLiftRow[];
  usage: Record<string, LlmUsage>;
  metrics: { computed: number; cached: number };
}

const CMMD_OPTIONS = { sigma: 10, scale: 1000 };
/** Bootstrap resamples of each paired comparison (seeded: the report is reproducible). */
const RESAMPLES = 10_000;

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
    const id = cellId(s.llm, s.method);
    let list = groups.get(id);
    if (!list) groups.set(id, (list = []));
    list.push(s);
  }

  const refKeys = manifest.reference.images.map((r) => r.image);
  const refByUser = new Map<string, string[]>();
  for (const r of manifest.reference.images) refByUser.set(r.user, [...(refByUser.get(r.user) ?? []), r.image]);
  const cells: CellResult[] = [];
  const perSample = new Map<string, number[]>();
  let done = 0;
  for (const [id, samples] of groups) {
    const pairs = samples.map((s) => [s.image, s.text]);
    const scores = await cached(unitKey({ metric: 'clipscore', weight: 100, spaces: manifest.clip, pairs }), () => [
      ...clipScore(store.getEmbeddings(manifest.clip.image, samples.map((s) => s.image)), store.getEmbeddings(manifest.clip.text, samples.map((s) => s.text))).perPair,
    ]);
    perSample.set(id, scores);
    const byUser = groupBy(samples.map((s, i) => ({ user: s.user, score: scores[i]! })), (x) => x.user);
    const perUser = Object.fromEntries([...byUser].map(([u, list]) => [u, mean(list.map((x) => x.score))]));
    const userMeans = Object.values(perUser);
    const first = samples[0]!;
    const cell: CellResult = {
      llm: first.llm,
      method: first.method,
      label: labels.get(first.method) ?? first.method,
      clipscore: mean(userMeans),
      clipscore_hessel: toHessel(mean(userMeans)),
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
      cell.cmmdPerUser = await perUserCmmd(samples, refByUser, manifest, store, cached);
    }
    const guard = manifest.guard[`${first.llm ?? ''}|${first.method}`];
    if (guard) cell.guard = guard;
    cells.push(cell);
    onCell?.(++done, groups.size);
  }

  const llmNames = manifest.llms.map((l) => l.name);
  const scopes = llmNames.length ? llmNames : ['(no LLM)'];
  const cellsOf = (llm: string) => cells.filter((c) => c.llm === llm || c.llm === null);
  const find = (llm: string, method: string) => cells.find((c) => c.method === method && (c.llm === llm || c.llm === null));
  const specs = manifest.methods.map((m) => parseMethodId(m.id));

  const fig3: Fig3Row[] = [];
  for (const llm of llmNames) {
    for (const pair of personaPairs(specs)) {
      const a = find(llm, pair.without.id);
      const b = find(llm, pair.with.id);
      if (!a || !b) continue;
      fig3.push({ llm, setting: pair.setting, without: a.method, with: b.method, clipscore_without: a.clipscore, clipscore_with: b.clipscore, delta_pct: pct(b.clipscore, a.clipscore) });
    }
  }

  // One trial per (user, prompt): a method's score of a trial is the mean over its seeds.
  const trialsOf = new Map<string, Map<string, number>>();
  for (const [id, samples] of groups) {
    const scores = perSample.get(id)!;
    const byTrial = groupBy(samples.map((s, i) => ({ trial: JSON.stringify([s.user, s.query]), score: scores[i]! })), (x) => x.trial);
    trialsOf.set(id, new Map([...byTrial].map(([t, list]) => [t, mean(list.map((x) => x.score))])));
  }
  const win: Record<string, PairedComparison[]> = {};
  for (const llm of scopes) {
    const mine = cellsOf(llm);
    const rows: PairedComparison[] = [];
    for (let i = 0; i < mine.length; i++) {
      for (let j = i + 1; j < mine.length; j++) {
        const a = trialsOf.get(cellId(mine[i]!.llm, mine[i]!.method))!;
        const b = trialsOf.get(cellId(mine[j]!.llm, mine[j]!.method))!;
        // Each trial's user is its bootstrap cluster: a user's prompts share one persona.
        const trials = [...a].flatMap(([t, sa]) => (b.has(t) ? [{ a: sa, b: b.get(t)!, group: (JSON.parse(t) as [string, number])[0] }] : []));
        rows.push(pairedComparison(mine[i]!.method, mine[j]!.method, trials, { resamples: RESAMPLES, seed: 0 }));
      }
    }
    // Every pair of this LLM's methods is one family of tests: Holm's adjustment over them.
    win[llm] = withHolm(rows);
  }

  const zipLift: ZipLiftRow[] = [];
  const accuracy = manifest.importance?.postingAccuracy ?? {};
  for (const llm of llmNames) {
    const baseline = find(llm, 'baseline');
    if (!baseline) continue;
    for (const spec of specs) {
      if (spec.method !== 'persona' || !spec.importance) continue;
      const persona = find(llm, spec.id);
      if (!persona) continue;
      const acc = accuracy[spec.importance];
      zipLift.push({
        llm,
        importance: spec.importance,
        ...(acc && acc.users > 0 ? { posting_accuracy: acc.value, ranker: acc.ranker, eval_users: acc.users } : {}),
        method: spec.id,
        clipscore_persona: persona.clipscore,
        clipscore_baseline: baseline.clipscore,
        lift_pct: pct(persona.clipscore, baseline.clipscore),
      });
    }
  }

  const usage: Record<string, LlmUsage> = {};
  for (const l of manifest.llms) {
    const u = manifest.usage[l.name];
    if (!u) continue;
    usage[l.name] = { ...u, ...(l.price ? { cost: (u.promptTokens * l.price.input + u.completionTokens * l.price.output) / 1e6 } : {}) };
  }

  const ipf = await ipfSection(manifest, scopes, cellsOf);
  return { protocol: manifest.protocol, cells, fig3, ...ipf, winRates: win, zipLift, usage, metrics: counts };
}

const cellId = (llm: string | null, method: string) => `${llm ?? ''}|${method}`;
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
/** Relative change in %; undefined (NaN) against a zero baseline. */
const pct = (now: number, before: number) => (before === 0 ? NaN : (100 * (now - before)) / before);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(it);
  }
  return out;
}

function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Each user's images against that user's own reference images, unbiased estimator (a handful of images
 * per side: the biased one would reward a set for matching itself), averaged over the users with at
 * least `minImages` on both sides; the others are listed.
 */
async function perUserCmmd(
  samples: readonly Sample[],
  refByUser: ReadonlyMap<string, string[]>,
  manifest: Manifest,
  store: BenchStore,
  cached: <T>(key: string, compute: () => T | Promise<T>) => Promise<T>,
): Promise<PerUserCmmd> {
  const min = manifest.reference.minImages;
  const byUser = groupBy(samples, (s) => s.user);
  const perUser: Record<string, number> = {};
  const below: string[] = [];
  for (const [user, mine] of byUser) {
    const ref = refByUser.get(user) ?? [];
    const gen = mine.map((s) => s.image);
    if (ref.length < min || gen.length < min) {
      below.push(user);
      continue;
    }
    perUser[user] = await cached(unitKey({ metric: 'cmmd', estimator: 'unbiased', ...CMMD_OPTIONS, space: manifest.clip.image, x: ref, y: gen }), () =>
      cmmd(store.getEmbeddings(manifest.clip.image, ref), store.getEmbeddings(manifest.clip.image, gen), { ...CMMD_OPTIONS, estimator: 'unbiased' }).cmmd,
    );
  }
  return { mean: mean(Object.values(perUser)), estimator: 'unbiased', minImages: min, perUser, below };
}

/** Tables 13–14 over every user of the run (see ipf.ts). */
async function ipfSection(manifest: Manifest, llms: readonly string[], cellsOf: (llm: string) => CellResult[]): Promise<Pick<BenchResults, 'ipf' | 'ipfSkipped'>> {
  const config = manifest.config as { targets?: string | string[]; ipf?: { axes?: string[] } };
  const sources = typeof config.targets === 'string' ? [config.targets] : (config.targets ?? ['wpp2024']);
  const plan = await planIpf(sources, config.ipf?.axes, manifest.demographics);
  if ('skipped' in plan) return { ipfSkipped: plan.skipped };
  const users = [...new Set(manifest.samples.map((s) => s.user))];
  const reports: IpfSection['reports'] = {};
  const failed: IpfSection['failed'] = {};
  for (const llm of llms) {
    reports[llm] = {};
    for (const cell of cellsOf(llm)) {
      const scores = users.map((u) => cell.perUser[u] ?? NaN);
      if (scores.some((s) => !Number.isFinite(s))) continue;
      try {
        reports[llm]![cell.method] = reweight(plan, users, manifest.demographics, scores);
      } catch (err) {
        if (!(err instanceof IpfError)) throw err;
        (failed[llm] ??= {})[cell.method] = err.message;
      }
    }
  }
  return { ipf: { targets: plan.sources, axes: plan.raked, tabulated: plan.tabulated, unused: plan.unused, users: users.length, reports, failed } };
}

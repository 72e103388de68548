import type { Manifest } from '../manifest.ts';
import type { BenchResults, CellResult } from '../results.ts';
import { methodBars, personaChart, renderSvg } from './charts.ts';
import type { Block, ReportDocument, Section } from './document.ts';
import { count, fixed, share, signedPct } from './format.ts';
import { pairedBlocks } from './win-rates.ts';
import { communityDisplayName } from '../../../shared/community/name.ts';

/** Name of the column for methods that use no LLM. */
const NO_LLM = '(no LLM)';

/** The benchmark report's content; `extra` sections (the user study) go at the end. */
export async function benchDocument(manifest: Manifest, results: BenchResults, extra: Section[] = []): Promise<ReportDocument> {
  const llms = manifest.llms.map((l) => l.name);
  const label = (id: string) => manifest.methods.find((m) => m.id === id)?.label ?? id;
  const cellOf = (llm: string, method: string): CellResult | undefined => results.cells.find((c) => c.method === method && (c.llm === llm || c.llm === null));
  const columns = llms.length ? llms : [NO_LLM];
  const order = manifest.methods.map((m) => m.label);

  const sections: Section[] = [runSection(manifest)];

  // Table 1 analog: every method, CLIPScore on both scales (and CMMD) per LLM.
  const hasCmmd = results.cells.some((c) => c.cmmd !== undefined);
  const min = manifest.reference.minImages;
  const main: Block[] = [
    {
      kind: 'text',
      text:
        'CLIPScore between each image and the prompt as the user wrote it, per user the mean over prompts and seeds, then the mean over users (± sd over users). ' +
        "**raw** = 100·max(cos, 0); **Hessel** = 100·2.5·max(cos, 0) (Hessel et al.'s CLIP-S), the scale the paper's Tables 1, 11, 13 and 14 (58–80) and Table 12 (0.60–0.76, ÷100) are on for ViT-L/14. " +
        (hasCmmd
          ? `CMMD (σ 10, ×1000; lower is closer): **pooled** — all of a method's images against the whole reference set, google-research's biased estimator; **per user** — each user's images against that user's own reference images, unbiased estimator, averaged over users with ≥ ${min} images on both sides (n in brackets).`
          : 'No CMMD: the run has no reference set.'),
    },
    {
      kind: 'table',
      table: {
        head: ['method', ...columns.flatMap((l) => [`${l} CLIPScore raw`, `${l} CLIPScore Hessel`, ...(hasCmmd ? [`${l} CMMD pooled`, `${l} CMMD per user`] : [])])],
        rows: manifest.methods.map((m) => [
          m.label,
          ...columns.flatMap((l) => {
            const c = cellOf(l, m.id);
            const cs = c ? [`${fixed(c.clipscore)} ± ${fixed(c.sd)}`, fixed(c.clipscore_hessel)] : ['–', '–'];
            const perUser = c?.cmmdPerUser ? `${fixed(c.cmmdPerUser.mean, 3)} (${Object.keys(c.cmmdPerUser.perUser).length})` : '–';
            return hasCmmd ? [...cs, fixed(c?.cmmd, 3), perUser] : cs;
          }),
        ]),
      },
    },
  ];
  const below = [...new Set(results.cells.flatMap((c) => c.cmmdPerUser?.below ?? []))];
  if (below.length) main.push({ kind: 'text', text: `Left out of per-user CMMD (fewer than ${min} images on one side): ${below.slice(0, 20).join(', ')}${below.length > 20 ? `, … (${below.length} users)` : ''}.` });
  main.push(chart('clipscore', 'CLIPScore by method and LLM', await renderSvg(methodBars(results.cells.map((c) => ({ method: c.label, llm: c.llm ?? NO_LLM, value: c.clipscore })), 'CLIPScore by method', 'CLIPScore ×100', order))));
  if (hasCmmd) {
    const withCmmd = results.cells.filter((c) => c.cmmd !== undefined);
    main.push(chart('cmmd', 'CMMD by method and LLM', await renderSvg(methodBars(withCmmd.map((c) => ({ method: c.label, llm: c.llm ?? NO_LLM, value: c.cmmd! })), 'CMMD against the reference set (lower is closer)', 'CMMD', order))));
  }
  sections.push({ title: 'CLIPScore and CMMD by method', blocks: main });

  // Fig. 3 analog.
  if (results.fig3.length) {
    const rows = results.fig3.flatMap((r) => [
      { llm: r.llm, setting: r.setting, condition: 'without persona' as const, clipscore: r.clipscore_without },
      { llm: r.llm, setting: r.setting, condition: 'with persona' as const, clipscore: r.clipscore_with },
    ]);
    sections.push({
      title: 'Persona conditioning per LLM (Fig. 3)',
      blocks: [
        chart('persona', 'CLIPScore without and with persona per LLM', await renderSvg(personaChart(rows))),
        {
          kind: 'table',
          table: {
            head: ['LLM', 'setting', 'without persona', 'with persona', 'Δ'],
            numericFrom: 2,
            rows: results.fig3.map((r) => [r.llm, r.setting, fixed(r.clipscore_without), fixed(r.clipscore_with), signedPct(r.delta_pct)]),
          },
        },
      ],
    });
  }

  if (results.zipLift.length) sections.push(zipLiftSection(results, label));
  sections.push(ipfSection(results, label));

  const win: Block[] = [
    {
      kind: 'text',
      text:
        "One trial per (user, prompt): each method's CLIPScore of the trial is the mean over its seeds (seeds of one prompt share the rewrite, so they are not separate evidence); the higher mean wins, equal ones tie. " +
        'p: exact two-sided binomial test of the decisive trials against 50%; p (Holm): the same adjusted (Holm–Bonferroni) for all the pairs of one LLM being tested together. ' +
        "Intervals: percentile bootstrap (10,000 seeded resamples) over users — a user's prompts share a persona, so they are resampled together. " +
        '"evidence" says what the counts support: p < 0.01 only where the adjusted test gives it, and when too few decisive trials could never reach it.',
    },
  ];
  for (const [llm, rows] of Object.entries(results.winRates)) {
    if (columns.length > 1) win.push({ kind: 'text', text: `**${llm}**` });
    win.push(...(await pairedBlocks(rows, label, `winrates-${slug(llm)}`, `Pairwise win rates (${llm})`)));
  }
  sections.push({ title: 'Pairwise win rates', blocks: win });

  sections.push(usageSection(manifest, results, label));
  sections.push(...extra);
  sections.push(personasSection(manifest));
  return {
    title: `ZIPP benchmark: ${manifest.dataset.name}`,
    subtitle: `Protocol **${manifest.protocol}** (${PROTOCOL_TEXT[manifest.protocol]}). ${count(manifest.dataset.users)} users × ${manifest.dataset.queriesPerUser} prompts × ${manifest.methods.length} methods × ${Math.max(1, llms.length)} LLM(s) × ${manifest.engine.seeds} seed(s) on ${manifest.engine.kind}/${manifest.engine.model}; run ${manifest.createdAt}`,
    sections,
  };
}

const chart = (name: string, alt: string, svg: string): Block => ({ kind: 'chart', chart: { name, alt, svg } });

const PROTOCOL_TEXT: Record<string, string> = {
  paper: "the paper's: its rewrite templates, no subject-guard retry, no word cut, T = 0.7; every step and remaining difference in server/bench/paper-protocol.md",
  product: 'what the extension ships: subject guard with one retry, 70-word cap',
};
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'llm';

function runSection(m: Manifest): Section {
  const ref =
    m.reference.kind === 'none'
      ? 'none (CMMD skipped)'
      : m.reference.kind === 'dataset'
        ? `the dataset's own images (${count(m.images.references)})`
        : `renders of ${m.reference.split ? `each user's reference prompts, drawn (seed ${m.reference.split.seed}) out of their history and never shown to a method` : "the users' history prompts"} (${count(m.images.references)} images)`;
  return {
    title: 'Run',
    blocks: [
      {
        kind: 'table',
        table: {
          head: ['', 'this run'],
          numericFrom: 2,
          rows: [
            ['protocol', `${m.protocol}: ${PROTOCOL_TEXT[m.protocol]}`],
            ['dataset', `${m.dataset.name} (${m.dataset.source}): ${count(m.dataset.users)} of ${count(m.dataset.totalUsers)} users, ${m.dataset.queriesPerUser} held-out prompts each${m.dataset.note ? `; ${m.dataset.note}` : ''}`],
            ['methods', m.methods.map((x) => `${x.id} = ${x.label}`).join('; ')],
            ['LLMs', m.llms.length ? m.llms.map((l) => `${l.name} (${l.model} at ${l.baseUrl})`).join('; ') : 'none needed'],
            ['images', `${m.engine.kind}, model ${m.engine.model}, ${m.engine.seeds} seed(s) per prompt; ${count(m.images.unique)} distinct images`],
            ['CLIP', m.clip.model],
            ['CMMD reference', ref],
          ],
        },
      },
    ],
  };
}

/** Tables 13 and 14: raw vs IPF aggregates with Δ%, subgroup σ and range, and per-subgroup rows for every axis. */
function ipfSection(results: BenchResults, label: (id: string) => string): Section {
  const title = 'Demographic reweighting (IPF, Tables 13–14)';
  if (!results.ipf) return { title, blocks: [{ kind: 'text', text: `Skipped: ${results.ipfSkipped}.` }] };
  const { ipf } = results;
  const notes = [
    `Per-user CLIPScores (raw scale) raked to the targets ${ipf.targets.join(' + ')} over ${ipf.axes.length} axis(es): ${ipf.axes.join(', ')} (ε = 1e-4; the paper rakes K = 5: age, gender, country → region, language, profession).`,
    ipf.tabulated.length ? `Not raked (no targets; supply a marginals file in targets to rake them): ${ipf.tabulated.join(', ')} — tabulated below.` : '',
    ipf.unused.length ? `Target axes no user has: ${ipf.unused.join(', ')}.` : '',
    `The raw aggregate is over all ${count(ipf.users)} users; users in a category without a target take no part in raking and are listed below. σ and range are over every subgroup mean.`,
  ];
  const blocks: Block[] = [{ kind: 'text', text: notes.filter(Boolean).join(' ') }];
  const multi = Object.keys(ipf.reports).length > 1;
  for (const [llm, reports] of Object.entries(ipf.reports)) {
    const methods = Object.keys(reports);
    if (methods.length === 0) continue;
    if (multi) blocks.push({ kind: 'text', text: `**${llm}**` });
    blocks.push({
      kind: 'table',
      table: {
        caption: 'Raw vs IPF-reweighted aggregate (Table 14)',
        head: ['method', 'raw (all users)', 'raw (raked users)', 'IPF', 'Δ% (IPF vs raked raw)', 'σ (subgroups)', 'range', 'iterations', 'users not raked'],
        rows: methods.map((m) => {
          const r = reports[m]!;
          return [label(m), fixed(r.raw), fixed(r.raw_raked), fixed(r.ipf), signedPct(r.delta_pct), fixed(r.sigma), fixed(r.range), `${r.iterations}${r.converged ? '' : ' (not converged)'}`, count(r.n - r.n_raked)];
        }),
      },
    });
    const first = reports[methods[0]!]!;
    const rows: string[][] = [];
    for (const [axis, cats] of Object.entries(first.subgroups)) {
      const raked = first.axes.raked.includes(axis);
      for (const [cat, row] of Object.entries(cats)) {
        rows.push([`${axis}: ${cat}`, share(row.sample_share), row.target_share === null ? (raked ? 'no target' : 'not raked') : share(row.target_share), ...methods.map((m) => fixed(reports[m]!.subgroups[axis]?.[cat]?.mean))]);
      }
    }
    rows.push(['σ (subgroup)', '', '', ...methods.map((m) => fixed(reports[m]!.sigma))]);
    rows.push(['range (max − min)', '', '', ...methods.map((m) => fixed(reports[m]!.range))]);
    blocks.push({ kind: 'table', table: { caption: 'Per-subgroup CLIPScore ×100, raw scale (Table 13)', head: ['subgroup', 'sample %', 'target %', ...methods.map(label)], rows } });
    const dropped = Object.entries(first.dropped.sampleCategories).flatMap(([axis, cats]) => Object.entries(cats).map(([cat, n]) => `${axis} = ${cat}: ${count(n)} users (${share(n / first.n)})`));
    if (dropped.length) blocks.push({ kind: 'text', text: `Categories without a target, their users left out of raking: ${dropped.join('; ')}.` });
  }
  for (const [llm, failed] of Object.entries(ipf.failed)) {
    for (const [m, why] of Object.entries(failed)) blocks.push({ kind: 'text', text: `${llm} / ${label(m)}: not reweighted (${why}).` });
  }
  return { title, blocks };
}

/** The paper's Table 10: per importance source, the ranker's posting accuracy and the persona's CLIPScore lift. */
function zipLiftSection(results: BenchResults, label: (id: string) => string): Section {
  const multi = new Set(results.zipLift.map((r) => r.llm)).size > 1;
  return {
    title: 'ZIP Lift by importance source (Table 10)',
    blocks: [
      {
        kind: 'text',
        text:
          'One mined persona per user and importance source (encoder attention, TF-IDF, activity, uniform), the same rewrites otherwise. ZIP Lift = 100 · (CLIPScore of ZIPP 0-shot − CLIPScore of the LLM baseline) / baseline (the same on either scale). ' +
          'Posting accuracy, as `zipp encoder eval` defines it (a hidden community of the user outscores a random one they never joined; leave-one-out on this run\'s users with ≥ 3 communities), of the ranker behind each source: the encoder for attention, the TF-IDF neighbour ranker for tfidf, popularity for activity, random for uniform.',
      },
      {
        kind: 'table',
        table: {
          head: [...(multi ? ['LLM'] : []), 'importance', 'ranker', 'posting accuracy', 'persona CLIPScore', 'baseline CLIPScore', 'ZIP Lift'],
          numericFrom: multi ? 3 : 2,
          rows: results.zipLift.map((r) => [
            ...(multi ? [r.llm] : []),
            label(r.method),
            r.ranker ?? '–',
            r.posting_accuracy === undefined ? '– (no user with ≥ 3 communities)' : `${share(r.posting_accuracy)} (${count(r.eval_users!)} users)`,
            fixed(r.clipscore_persona),
            fixed(r.clipscore_baseline),
            signedPct(r.lift_pct),
          ]),
        },
      },
    ],
  };
}

function usageSection(m: Manifest, results: BenchResults, label: (id: string) => string): Section {
  const blocks: Block[] = [];
  const usage = Object.entries(results.usage);
  if (usage.length) {
    const priced = usage.some(([, u]) => u.cost !== undefined);
    blocks.push({
      kind: 'table',
      table: {
        caption: 'LLM usage of every persona and rewrite the results rest on (retries included)',
        head: ['LLM', 'requests', 'prompt tokens', 'completion tokens', 'total tokens', ...(priced ? ['cost (USD)'] : [])],
        rows: usage.map(([llm, u]) => [llm, count(u.requests), count(u.promptTokens), count(u.completionTokens), count(u.totalTokens), ...(priced ? [u.cost === undefined ? '–' : u.cost.toFixed(4)] : [])]),
      },
    });
  }
  const guards = Object.entries(m.guard);
  if (guards.length) {
    blocks.push({
      kind: 'table',
      table: {
        caption: "Subject guard: rewrites that kept the prompt's subjects first time, after one retry, or not at all",
        head: ['LLM', 'method', 'passed', 'retried', 'failed'],
        numericFrom: 2,
        rows: guards.map(([k, g]) => {
          const [llm, method] = k.split('|') as [string, string];
          return [llm, label(method), count(g.passed), count(g.retried), count(g.failed)];
        }),
      },
    });
  }
  blocks.push({ kind: 'text', text: `Images: ${count(m.images.unique)} distinct samples and ${count(m.images.references)} reference images. Metrics: ${results.metrics.computed} computed, ${results.metrics.cached} reused from earlier runs.` });
  return { title: 'Usage and cost', blocks };
}

function personasSection(m: Manifest): Section {
  const users = Object.keys(m.personas).slice(0, 20);
  const blocks: Block[] = [];
  const evidence = (p: Manifest['personas'][string]) =>
    p.evidence
      ? ` — evidence ${p.evidence.tokens} tokens of ${p.evidence.budget}${p.evidence.spillover ? '' : ', no spill-over'}: ${p.evidence.communities
          .filter((c) => c.items > 0)
          .map((c) => `${communityDisplayName(c.name)} ${(100 * c.weight).toFixed(1)}% → ${c.used}/${c.budget}`)
          .join(', ') || 'none (communities only)'}`
      : '';
  if (users.length) blocks.push({ kind: 'details', summary: `Personas (${users.length} of ${Object.keys(m.personas).length} shown)`, items: users.map((u) => `${u} [${m.personas[u]!.source}${m.personas[u]!.importance ? `, ${m.personas[u]!.importance}` : ''}]: ${m.personas[u]!.text}${evidence(m.personas[u]!)}`) });
  const featured = Object.keys(m.features).slice(0, 20);
  if (featured.length) blocks.push({ kind: 'details', summary: 'Static baseline feature lists', items: featured.map((u) => `${u}: ${m.features[u]!.join(', ') || '(none)'}`) });
  if (blocks.length === 0) blocks.push({ kind: 'text', text: 'No personas were needed.' });
  return { title: 'Personas and feature lists', blocks };
}


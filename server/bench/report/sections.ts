import type { Manifest } from '../manifest.ts';
import type { BenchResults, CellResult } from '../results.ts';
import { methodBars, personaChart, renderSvg } from './charts.ts';
import type { Block, ReportDocument, Section } from './document.ts';
import { count, fixed, share, signedPct } from './format.ts';
import { winRateBlocks } from './win-rates.ts';

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

  // Table 1 analog: every method, CLIPScore (and CMMD) per LLM.
  const hasCmmd = results.cells.some((c) => c.cmmd !== undefined);
  const main: Block[] = [
    {
      kind: 'table',
      table: {
        caption: `CLIPScore ×100 (image vs the original prompt; mean over users ± sd)${hasCmmd ? ' and CMMD against the reference set (lower is closer)' : ''}.`,
        head: ['method', ...columns.flatMap((l) => (hasCmmd ? [`${l} CLIPScore`, `${l} CMMD`] : [`${l} CLIPScore`]))],
        rows: manifest.methods.map((m) => [
          m.label,
          ...columns.flatMap((l) => {
            const c = cellOf(l, m.id);
            const cs = c ? `${fixed(c.clipscore)} ± ${fixed(c.sd)}` : '–';
            return hasCmmd ? [cs, fixed(c?.cmmd, 3)] : [cs];
          }),
        ]),
      },
    },
  ];
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

  sections.push(ipfSection(results, label));

  const win: Block[] = [
    { kind: 'text', text: 'Per sample (same user, prompt and seed), the method whose image has the higher CLIPScore wins; equal scores are ties. p: exact two-sided binomial test against 50%.' },
  ];
  for (const [llm, rows] of Object.entries(results.winRates)) {
    if (columns.length > 1) win.push({ kind: 'text', text: `**${llm}**` });
    win.push(...(await winRateBlocks(rows, label, `winrates-${slug(llm)}`, `Pairwise win rates (${llm})`)));
  }
  sections.push({ title: 'Pairwise win rates', blocks: win });

  sections.push(usageSection(manifest, results, label));
  sections.push(...extra);
  sections.push(personasSection(manifest));
  return {
    title: `ZIPP benchmark: ${manifest.dataset.name}`,
    subtitle: `${count(manifest.dataset.users)} users × ${manifest.dataset.queriesPerUser} prompts × ${manifest.methods.length} methods × ${Math.max(1, llms.length)} LLM(s) × ${manifest.engine.seeds} seed(s) on ${manifest.engine.kind}/${manifest.engine.model}; run ${manifest.createdAt}`,
    sections,
  };
}

const chart = (name: string, alt: string, svg: string): Block => ({ kind: 'chart', chart: { name, alt, svg } });
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'llm';

function runSection(m: Manifest): Section {
  const ref =
    m.reference.kind === 'none'
      ? 'none (CMMD skipped)'
      : m.reference.kind === 'dataset'
        ? `the dataset's own images (${count(m.images.references)})`
        : `renders of each user's most recent history prompts (${count(m.images.references)} images)`;
  return {
    title: 'Run',
    blocks: [
      {
        kind: 'table',
        table: {
          head: ['', 'this run'],
          numericFrom: 2,
          rows: [
            ['dataset', `${m.dataset.name} (${m.dataset.source}): ${count(m.dataset.users)} of ${count(m.dataset.totalUsers)} users, ${m.dataset.queriesPerUser} held-out prompts each`],
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

/** Tables 13 and 14: raw vs IPF aggregates with Δ%, subgroup σ and range, and the per-subgroup means. */
function ipfSection(results: BenchResults, label: (id: string) => string): Section {
  const title = 'Demographic reweighting (IPF, Tables 13–14)';
  if (!results.ipf) return { title, blocks: [{ kind: 'text', text: `Skipped: ${results.ipfSkipped}.` }] };
  const { ipf } = results;
  const blocks: Block[] = [
    { kind: 'text', text: `Per-user CLIPScores raked to the ${ipf.targets} population targets over the axes ${ipf.axes.join(', ')} (${count(ipf.users)} users, ε = 1e-4). σ and range are over every subgroup mean.` },
  ];
  const multi = Object.keys(ipf.reports).length > 1;
  for (const [llm, reports] of Object.entries(ipf.reports)) {
    const methods = Object.keys(reports);
    if (methods.length === 0) continue;
    if (multi) blocks.push({ kind: 'text', text: `**${llm}**` });
    blocks.push({
      kind: 'table',
      table: {
        caption: 'Raw vs IPF-reweighted aggregate',
        head: ['method', 'raw', 'IPF', 'Δ%', 'σ (subgroups)', 'range', 'iterations', 'dropped users'],
        rows: methods.map((m) => {
          const r = reports[m]!;
          return [label(m), fixed(r.raw), fixed(r.ipf), signedPct(r.delta_pct), fixed(r.sigma), fixed(r.range), `${r.iterations}${r.converged ? '' : ' (not converged)'}`, count(r.dropped.users)];
        }),
      },
    });
    const first = reports[methods[0]!]!;
    const rows: string[][] = [];
    for (const [axis, cats] of Object.entries(first.subgroups)) {
      for (const [cat, row] of Object.entries(cats)) {
        rows.push([`${axis}: ${cat}`, share(row.sample_share), share(row.target_share), ...methods.map((m) => fixed(reports[m]!.subgroups[axis]?.[cat]?.mean))]);
      }
    }
    rows.push(['σ (subgroup)', '', '', ...methods.map((m) => fixed(reports[m]!.sigma))]);
    rows.push(['range (max − min)', '', '', ...methods.map((m) => fixed(reports[m]!.range))]);
    blocks.push({ kind: 'table', table: { caption: 'Per-subgroup CLIPScore ×100', head: ['subgroup', 'sample %', 'target %', ...methods.map(label)], rows } });
  }
  return { title, blocks };
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
  if (users.length) blocks.push({ kind: 'details', summary: `Personas (${users.length} of ${Object.keys(m.personas).length} shown)`, items: users.map((u) => `${u} [${m.personas[u]!.source}]: ${m.personas[u]!.text}`) });
  const featured = Object.keys(m.features).slice(0, 20);
  if (featured.length) blocks.push({ kind: 'details', summary: 'Static baseline feature lists', items: featured.map((u) => `${u}: ${m.features[u]!.join(', ') || '(none)'}`) });
  if (blocks.length === 0) blocks.push({ kind: 'text', text: 'No personas were needed.' });
  return { title: 'Personas and feature lists', blocks };
}


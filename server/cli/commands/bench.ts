import { resolve } from 'node:path';
import { z } from 'zod';
import { createLlmClient } from '../../../shared/llm/client.ts';
import { configFromFlags } from '../../bench/cli-config.ts';
import { runBench, type RunSummary } from '../../bench/run.ts';
import { terminalProgress } from '../../bench/terminal-progress.ts';
import { formatTable, wholeFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';

const schema = z.object({
  _: z.array(z.string()).max(1, 'only one subcommand: report').refine((a) => a.length === 0 || a[0] === 'report', "the only subcommand is 'report'"),
  config: z.string().min(1).optional(),
  protocol: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  dataset: z.string().optional(),
  data: z.string().min(1).optional(),
  users: z.string().regex(/^[^,]+(,[^,]+)*$/, 'a number (first N users) or comma-separated user ids').optional(),
  queries: wholeFlag(1).optional(),
  methods: z.string().min(1).optional(),
  llm: z.array(z.string()).optional(),
  engine: z.array(z.string()).optional(),
  engineConcurrency: wholeFlag(1).optional(),
  model: z.string().optional(),
  seeds: wholeFlag(1).optional(),
  steps: wholeFlag(1).optional(),
  size: wholeFlag(64).optional(),
  clip: z.string().min(1).optional(),
  reference: z.string().optional(),
  targets: z.string().min(1).optional(),
  concurrency: wholeFlag(1).optional(),
  prompts: z.string().min(1).optional(),
  texts: z.string().min(1).optional(),
  importance: z.string().min(1).optional(),
  encoder: z.string().min(1).optional(),
  minImages: wholeFlag(2).optional(),
  shorten: z.string().min(1).optional(),
  study: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

export default defineCommand({
  name: 'bench',
  summary: 'benchmark run: dataset × methods × LLM × image engine → report',
  positionals: 'report',
  options: {
    config: { type: 'string', placeholder: 'FILE', description: 'run config (JSON; see server/bench/README.md); flags override it' },
    protocol: { type: 'string', placeholder: 'P', description: "paper (default): the paper's protocol, see server/bench/paper-protocol.md | product: what the extension ships" },
    out: { type: 'string', short: 'o', placeholder: 'DIR', description: 'run directory: stored units, images, report (default ./zipp-bench/<dataset>)' },
    dataset: { type: 'string', placeholder: 'KIND', description: 'movielens | pip | zipbench | rapiddata | communities (personas mined from community lists)' },
    data: { type: 'string', placeholder: 'PATH', description: 'dataset directory or file (movielens: the vendored ml-latest-small by default; communities: user,community,comments CSV)' },
    prompts: { type: 'string', placeholder: 'FILE', description: 'communities: the prompt pool, JSONL {prompt, user?} or one prompt per line' },
    texts: { type: 'string', placeholder: 'FILE', description: "communities: the users' posts and comments, JSONL {user, text, community?, score?}" },
    importance: { type: 'string', placeholder: 'LIST', description: 'communities: importance sources, one persona each: attention (default), tfidf, activity, uniform (several → ZIP Lift, Table 10)' },
    encoder: { type: 'string', placeholder: 'DIR', description: 'communities: encoder model folder (default the shipped models/zipp-encoder)' },
    shorten: { type: 'string', placeholder: 'HOW', description: "pip: how a test prompt without its own short query becomes the under-10-word input: rule (default, offline) | llm (Tailored Visions' way)" },
    users: { type: 'string', placeholder: 'N|IDS', description: 'the first N users, or comma-separated user ids (default: all)' },
    queries: { type: 'string', placeholder: 'N', description: 'held-out prompts per user (default 2)' },
    methods: { type: 'string', placeholder: 'LIST', description: 'comma-separated: original, baseline, persona, fewshot:K, fewshot-baseline:K, retrieval:K, static' },
    llm: { type: 'string', multiple: true, placeholder: 'MODEL[@URL]', description: 'rewriting LLM (repeat to compare several); default ZIPP_LLM_MODEL at ZIPP_LLM_BASE_URL' },
    engine: { type: 'string', multiple: true, placeholder: 'KIND=URL', description: 'image engine: comfyui=URL, a1111=URL or openai=URL (repeat for more URLs of one kind)' },
    'engine-concurrency': { type: 'string', placeholder: 'N', description: 'images per engine URL at once (default 1; openai 4)' },
    model: { type: 'string', placeholder: 'M', description: 'diffusion preset: sdxl (default), sd3, sd3.5, flux-dev' },
    seeds: { type: 'string', placeholder: 'N', description: 'seeds per prompt (default 3, as in the paper)' },
    steps: { type: 'string', placeholder: 'N', description: "sampling steps (default: the preset's 50)" },
    size: { type: 'string', placeholder: 'PX', description: "image width and height (default: the preset's 1024)" },
    clip: { type: 'string', placeholder: 'MODEL', description: 'CLIP model: hub id or local export (default ZIPP_CLIP_MODEL, else ViT-L/14)' },
    reference: { type: 'string', placeholder: 'KIND', description: 'CMMD reference: auto (default) | dataset | history | none' },
    targets: { type: 'string', placeholder: 'T', description: 'IPF targets, comma-separated, later ones adding axes: wpp2024 (default) | wpp2024-subregion | targets.json (age, language, profession)' },
    'min-images': { type: 'string', placeholder: 'N', description: 'per-user CMMD: users with at least N images on both sides (default 2)' },
    concurrency: { type: 'string', placeholder: 'N', description: 'rewrites in flight per LLM (default 4)' },
    study: { type: 'string', placeholder: 'DIR', description: 'report: add the A/B study results from this server data directory' },
    json: { type: 'boolean', description: 'print one JSON document {outDir, files, work, results}' },
  },
  details: `
--protocol paper (the default) runs the paper's protocol (server/bench/paper-protocol.md); product runs
what the extension ships (subject guard with retry, 70-word cap).
A rerun of the same command does no new work: personas, rewrites, images (content-addressed cache),
CLIP embeddings and metrics are stored in the run directory and reused; a run cut off midway resumes.
\`zipp bench report --out DIR\` rebuilds report.md / report.html / results.json from what is stored,
without an LLM or engine (add --study DATA_DIR for the A/B study's win rates).
LLM: ZIPP_LLM_BASE_URL, ZIPP_LLM_API_KEY, ZIPP_LLM_MODEL (or the OPENAI_* variables).
Examples:
  zipp bench --dataset movielens --users 20 --engine comfyui=http://gpu1:8188 --engine comfyui=http://gpu2:8188
  zipp bench --dataset communities --data models/zipp-encoder/heldout-interactions.csv --texts models/data/reddit/user_texts.jsonl \\
    --prompts base-prompts.txt --methods baseline,persona --importance attention,tfidf,activity,uniform --engine comfyui=http://gpu1:8188
  zipp bench --config runs/ml.json --llm gpt-4o-mini --llm llama3.1@http://127.0.0.1:11434/v1 --out runs/ml
  zipp bench report --out runs/ml --study .zipp`,
  schema,
  async run(args, io) {
    if (args._[0] === 'report') {
      if (!args.out) throw new UsageError('--out: required: the run directory to report on');
      const { renderBenchReport } = await import('../bench-report.ts');
      const files = await renderBenchReport(resolve(args.out!), args.study ? { dataDir: resolve(args.study) } : undefined);
      io.stdout(args.json ? toJson(files) : `report: ${files.html}\n        ${files.markdown}`);
      return 0;
    }
    if (args.study) throw new UsageError('--study: goes with the report: zipp bench report --out DIR --study DATA_DIR');
    const config = await configFromFlags(args);
    const outDir = resolve(args.out ?? `zipp-bench/${config.dataset.kind}`);
    const progress = terminalProgress((line) => io.stderr(line));
    let summary: RunSummary;
    try {
      summary = await runBench(config, {
        outDir,
        env: io.env,
        progress,
        clientFactory: (settings) =>
          createLlmClient(settings, { onRetry: ({ retry, delayMs }) => io.stderr(`zipp: LLM busy or unreachable; retry ${retry} in ${(delayMs / 1000).toFixed(1)} s`) }),
      });
    } finally {
      progress.stop();
    }
    io.stdout(args.json ? toJson({ outDir: summary.outDir, files: summary.files, work: summary.work, results: summary.results }) : describe(summary));
    return 0;
  },
});

function describe(s: RunSummary): string {
  const w = s.work;
  const llms = s.manifest.llms.map((l) => l.name);
  const columns = llms.length ? llms : ['(no LLM)'];
  const rows = [['method', ...columns]];
  for (const m of s.manifest.methods) {
    rows.push([m.label, ...columns.map((l) => s.results.cells.find((c) => c.method === m.id && (c.llm === l || c.llm === null))?.clipscore.toFixed(2) ?? '–')]);
  }
  return [
    'CLIPScore ×100 (mean over users):',
    formatTable(rows, 1),
    '',
    `this run: ${w.personas.made} personas and ${w.rewrites.made} rewrites made (${w.personas.cached + w.rewrites.cached} reused), ${w.images.generated} images generated (${w.images.cached} from the image cache), ${w.images.embedded + w.texts.embedded} CLIP embeddings, ${w.metrics.computed} metrics computed (${w.metrics.cached} reused)`,
    ...Object.entries(s.results.usage).map(([l, u]) => `${l}: ${u.requests} requests, ${u.totalTokens.toLocaleString('en-US')} tokens${u.cost !== undefined ? `, $${u.cost.toFixed(4)}` : ''} in total`),
    `report: ${s.files.html}`,
    `        ${s.files.markdown}`,
  ].join('\n');
}

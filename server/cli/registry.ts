import type { Command } from './command.ts';

/**
 * Every `zipp` command: its full name and the module under ./commands that default-exports it.
 * Modules load lazily so `zipp rewrite` never pays for TensorFlow.js or onnxruntime start-up.
 */
export const COMMANDS: Record<string, { file: string; summary: string }> = {
  serve: { file: 'serve.ts', summary: 'run the ZIPP server (API + dashboard); what `npm start` runs' },
  rewrite: { file: 'rewrite.ts', summary: 'rewrite a text-to-image prompt, with or without a persona' },
  persona: { file: 'persona.ts', summary: 'verbalize a persona from communities (and texts) with the LLM' },
  'encoder ingest': { file: 'encoder-ingest.ts', summary: 'aggregate raw activity (CSV, JSONL, NDJSON(.zst), Reddit export) into a graph' },
  'encoder train': { file: 'encoder-train.ts', summary: 'train the GATv2 community encoder and export it to ONNX' },
  'encoder eval': { file: 'encoder-eval.ts', summary: 'leave-one-out ranking on unseen users against baselines' },
  'encoder infer': { file: 'encoder-infer.ts', summary: 'rank communities and embed one user from their community list' },
  'metrics clipscore': { file: 'metrics-clipscore.ts', summary: 'CLIPScore ×100 between paired image and text embeddings' },
  'metrics cmmd': { file: 'metrics-cmmd.ts', summary: 'CMMD between two sets of image embeddings' },
  'metrics ipf': { file: 'metrics-ipf.ts', summary: 'IPF-reweighted aggregate and per-subgroup tables' },
  'metrics winrate': { file: 'metrics-winrate.ts', summary: 'pairwise win rate with an exact two-sided binomial test' },
  bench: { file: 'bench.ts', summary: 'benchmark run: dataset × methods × LLM × image engine → report' },
};


export async function loadCommand(name: string): Promise<Command> {
  const entry = COMMANDS[name];
  if (!entry) throw new Error(`no command ${name}`);
  const mod = (await import(`./commands/${entry.file}`)) as { default: Command };
  return mod.default;
}

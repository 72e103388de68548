import { z } from 'zod';
import { createEmbedder } from '../../../shared/llm/embeddings.ts';
import { embedModelFromEnv } from '../../../shared/llm/settings.ts';
import { rewritePrompt } from '../../../shared/rewrite/index.ts';
import { addUsage } from '../../../shared/schemas/llm.ts';
import { PERSONA_MAX_TOKENS } from '../../../shared/schemas/persona.ts';
import { BasePrompt, PromptSyntax, RewriteMethod, type RewriteRequest, type RewriteResult } from '../../../shared/schemas/rewrite.ts';
import { countTokens, fitsTokens } from '../../../shared/text/tokens.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { wholeFlag } from '../flags.ts';
import { llmFromEnv, readTextFile } from '../input.ts';

/** The request schema allows this many history prompts; longer files keep their most recent ones. */
const HISTORY_MAX = 10_000;

const schema = z.object({
  prompt: z.string({ error: 'required: the prompt to rewrite, e.g. --prompt "a dog in a park"' }).pipe(BasePrompt),
  persona: z.string().optional(),
  history: z.string().min(1, 'give a file: --history @prompts.txt').optional(),
  method: z.enum(RewriteMethod.options, { error: `expected one of ${RewriteMethod.options.join(', ')}` }).optional(),
  k: wholeFlag(1, 5).optional(),
  temperature: z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)) && Number(s) >= 0 && Number(s) <= 2, 'expected a number from 0 to 2, e.g. 0.7')
    .transform(Number)
    .optional(),
  retrieval: z.enum(['bm25', 'embedding'], { error: 'expected bm25 or embedding' }).optional(),
  syntax: z.enum(PromptSyntax.options, { error: `expected one of ${PromptSyntax.options.join(', ')}` }).optional(),
  json: z.boolean().optional(),
});

/** `--persona`: literal text, or @FILE. Refused past PERSONA_MAX_TOKENS (the paper saw invention beyond). */
async function loadPersona(value: string): Promise<string> {
  const fromFile = value.startsWith('@');
  const text = (fromFile ? await readTextFile('persona', value.slice(1)) : value).trim();
  if (!text) throw new UsageError(`--persona: ${fromFile ? `${value.slice(1)} is empty` : 'the persona is empty'}: write a few sentences about who the images are for`);
  if (!fitsTokens(text, PERSONA_MAX_TOKENS)) {
    throw new UsageError(
      `--persona: ${countTokens(text).toLocaleString('en-US')} tokens, over the ${PERSONA_MAX_TOKENS.toLocaleString('en-US')}-token limit beyond which models invent details: shorten it`,
    );
  }
  return text;
}

/**
 * `--history @FILE`: the user's earlier prompts, oldest first, as one prompt per line, a JSON array of
 * strings, or JSONL with a `prompt` field per line.
 */
export function parseHistory(text: string, path: string): string[] {
  const trimmed = text.trim();
  const bad = (what: string) => new UsageError(`--history: ${path} ${what}: use one prompt per line, a JSON array of strings, or JSONL with "prompt" fields`);
  if (trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch {
      throw bad('looks like JSON but does not parse');
    }
    if (!Array.isArray(data) || data.some((p) => typeof p !== 'string')) throw bad('is a JSON array but not of strings');
    return (data as string[]).map((p) => p.trim()).filter(Boolean);
  }
  const lines = text.split(/\r?\n/);
  if (trimmed.startsWith('{')) {
    const prompts: string[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw bad(`line ${i + 1} is not JSON`);
      }
      const prompt = (row as { prompt?: unknown } | null)?.prompt;
      if (typeof prompt !== 'string') throw bad(`line ${i + 1} has no "prompt" string`);
      if (prompt.trim()) prompts.push(prompt.trim());
    });
    return prompts;
  }
  return lines.map((l) => l.trim()).filter(Boolean);
}

async function loadHistory(value: string, warnings: string[]): Promise<string[]> {
  const path = value.replace(/^@/, '');
  const prompts = parseHistory(await readTextFile('history', path), path);
  if (prompts.length === 0) throw new UsageError(`--history: ${path} has no prompts: put one prompt per line`);
  if (prompts.length > HISTORY_MAX) {
    warnings.push(`history has ${prompts.length} prompts; using the most recent ${HISTORY_MAX}`);
    return prompts.slice(-HISTORY_MAX);
  }
  return prompts;
}

export default defineCommand({
  name: 'rewrite',
  summary: 'rewrite a text-to-image prompt, with or without a persona',
  options: {
    prompt: { type: 'string', short: 'p', placeholder: 'TEXT', description: 'the prompt to rewrite (at most 2,000 characters)' },
    persona: { type: 'string', placeholder: 'TEXT|@FILE', description: 'who the image is for: text, or @file (UTF-8, at most 8,000 tokens)' },
    history: { type: 'string', placeholder: '@FILE', description: 'earlier prompts, oldest first: one per line, a JSON array, or JSONL {"prompt"}' },
    method: { type: 'string', short: 'm', placeholder: 'M', description: `${RewriteMethod.options.join(' | ')} (default: persona with --persona, else baseline)` },
    k: { type: 'string', placeholder: 'N', description: 'few-shot examples or retrieved prompts, 1-5 (default 3)' },
    temperature: { type: 'string', short: 't', placeholder: 'T', description: 'sampling temperature, 0-2 (default 0.7)' },
    retrieval: { type: 'string', placeholder: 'R', description: 'how retrieval ranks history: bm25 (default) | embedding (uses the /embeddings API)' },
    syntax: {
      type: 'string',
      placeholder: 'S',
      description: `image-site syntax kept byte for byte: ${PromptSyntax.options.join(' | ')} (default auto: Midjourney --parameters, SD (weights:1.2) / <lora:…> when seen)`,
    },
    json: { type: 'boolean', description: 'print one JSON document {rewritten, method, template, model, guard, usage}' },
  },
  details: `
Methods: baseline (no persona), persona (the LLM role-plays the persona), fewshot (persona + the k most
recent history prompts), fewshot-baseline (history only), retrieval (the k history prompts most similar to
the prompt, Tailored-Visions style). The rewrite keeps the prompt's subjects: if it drops one, the LLM is
asked once more at temperature 0.5; the guard status (passed | retried | failed) is on stderr, or in --json.

LLM: ZIPP_LLM_BASE_URL, ZIPP_LLM_API_KEY, ZIPP_LLM_MODEL (or OPENAI_BASE_URL, OPENAI_API_KEY,
OPENAI_MODEL); embeddings for --retrieval embedding: ZIPP_LLM_EMBED_MODEL (default text-embedding-3-small).
Examples:
  zipp rewrite --prompt "a cozy wooden table with an open book" --persona @persona.txt
  ZIPP_LLM_BASE_URL=http://127.0.0.1:11434/v1 ZIPP_LLM_MODEL=llama3.1 zipp rewrite -p "a dog in a park" --json
  zipp rewrite -p "a dog in a park" --method retrieval --history @prompts.txt --k 3
  zipp rewrite -p "a lighthouse at dawn --ar 16:9 --v 6.1" --persona @persona.txt   # parameters come back as written`,
  schema,
  async run(args, io) {
    const warnings: string[] = [];
    const persona = args.persona === undefined ? undefined : await loadPersona(args.persona);
    const history = args.history === undefined ? undefined : await loadHistory(args.history, warnings);

    const { settings, client } = llmFromEnv(io);

    const request: RewriteRequest = {
      prompt: args.prompt,
      ...(persona ? { persona } : {}),
      ...(history ? { history } : {}),
      ...(args.method ? { method: args.method } : {}),
      ...(args.k !== undefined ? { k: args.k } : {}),
      ...(args.temperature !== undefined ? { temperature: args.temperature } : {}),
      ...(args.retrieval ? { retrieval: args.retrieval } : {}),
      syntax: args.syntax ?? 'auto',
    };
    const embedder = args.retrieval === 'embedding' ? createEmbedder(settings, { model: embedModelFromEnv(io.env) }) : undefined;
    if (!args.json && process.stderr.isTTY) io.stderr(`rewriting with ${client.model} at ${settings.baseUrl} …`);

    // A RewriteInputError names its field, which main shows as the flag (--persona: …).
    const result: RewriteResult = await rewritePrompt(client, request, embedder ? { embed: (texts) => embedder.embed(texts) } : {});
    if (embedder) result.usage = addUsage(result.usage, embedder.usage());
    if (warnings.length) result.warnings = [...warnings, ...(result.warnings ?? [])];

    if (args.json) {
      io.stdout(JSON.stringify(result, null, 2));
      return 0;
    }
    io.stdout(result.rewritten);
    const u = result.usage;
    io.stderr(
      `guard: ${result.guard}${result.missing?.length ? ` (missing: ${result.missing.join(', ')})` : ''} · ${result.method} · ${result.template} · ${result.model} · ${u.requests} request${u.requests === 1 ? '' : 's'}, ${u.totalTokens} tokens`,
    );
    for (const w of result.warnings ?? []) io.stderr(`warning: ${w}`);
    return 0;
  },
});

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { capWords } from '../../shared/rewrite/hygiene.ts';
import { parseRecords } from './jsonl.ts';
import { readText } from './tabular.ts';
import type { BenchUser, Dataset } from './types.ts';

/**
 * PIP, the Tailored Visions (Chen et al., CVPR 2024) personalised image prompting data: one JSON-lines
 * file per user, each line a generation with `prompt`, `user_id`, `NSFW` and `result_url`. The last
 * `testPerUser` (default 2) safe records of a user are the test queries, the others the history, unless
 * records carry an explicit `split` ("train" / "test").
 *
 * As in Tailored Visions, a method rewrites the test query *shortened to under 10 words* and the image
 * is scored against the user's full prompt: a test record's `query` is that short form when the data has
 * it; otherwise the prompt itself when it is already under 10 words, else its first clause cut to 9
 * words. Tailored Visions had ChatGPT shorten them: a benchmark does that with `dataset.shorten: "llm"`
 * (server/bench/shorten.ts), replacing the rule's inputs (`inputSources` says which is which).
 */
export const PipRecord = z
  .object({
    prompt: z.string().trim().min(1, 'prompt is empty'),
    user_id: z.union([z.string().min(1), z.number()]).transform(String),
    NSFW: z.union([z.boolean(), z.literal(0), z.literal(1), z.enum(['True', 'False', 'true', 'false'])]).transform((v) => v === true || v === 1 || v === 'True' || v === 'true'),
    result_url: z.string().min(1, 'result_url is empty'),
    split: z.enum(['train', 'test']).optional(),
    /** The shortened test query (under 10 words) the methods rewrite. */
    query: z.string().trim().min(1, 'query is empty').optional(),
  })
  .passthrough();
export type PipRecord = z.output<typeof PipRecord>;

export interface PipOptions {
  /** Held-out records per user (default 2, as in Tailored Visions). */
  testPerUser?: number;
  /** NSFW records are dropped unless this is set. */
  includeNsfw?: boolean;
}

export async function loadPip(dir: string, options: PipOptions = {}): Promise<Dataset> {
  const testPerUser = options.testPerUser ?? 2;
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.jsonl?$/i.test(f)).sort();
  } catch {
    throw new InputError(`cannot read PIP directory ${dir}`);
  }
  if (files.length === 0) throw new InputError(`PIP directory ${dir} has no .jsonl files (one per user)`);
  const users: BenchUser[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const records = parseRecords(await readText(path), PipRecord, `PIP file ${path}`);
    if (records.length === 0) continue;
    const id = records[0]!.user_id;
    const stranger = records.findIndex((r) => r.user_id !== id);
    if (stranger >= 0) throw new InputError(`PIP file ${path} record ${stranger + 1} belongs to user ${records[stranger]!.user_id}, not ${id}; keep one user per file`);
    const safe = records.filter((r) => options.includeNsfw || !r.NSFW);
    const explicit = safe.some((r) => r.split);
    const test = explicit ? safe.filter((r) => r.split === 'test') : safe.slice(Math.max(0, safe.length - testPerUser));
    const train = explicit ? safe.filter((r) => r.split !== 'test') : safe.slice(0, Math.max(0, safe.length - testPerUser));
    if (test.length === 0 || train.length === 0) continue;
    users.push({
      id,
      history: train.map((r) => r.prompt),
      queries: test.map((r) => r.prompt),
      inputs: test.map((r) => r.query ?? shortQuery(r.prompt)),
      inputSources: test.map((r) => (r.query ? 'dataset' : 'rule')),
      referenceImages: train.map((r) => r.result_url),
    });
  }
  return { name: 'pip', users, source: dir, note: PIP_NOTE };
}

const PIP_NOTE =
  'rewrite input: the test query shortened to under 10 words (the record\'s `query`, else the prompt when already short, else its first clause cut to 9 words); CLIPScore against the full prompt';

/** Tailored Visions' test input: under 10 words. */
export const SHORT_QUERY_WORDS = 9;

/**
 * The prompt when it has at most 9 words, else its first clause (up to , ; . | or :) cut to 9 words, a
 * dangling joint word ("at", "with", …) trimmed as the rewrite pipeline's word cap does.
 */
export function shortQuery(prompt: string): string {
  const words = (t: string) => t.trim().split(/\s+/).filter(Boolean);
  if (words(prompt).length <= SHORT_QUERY_WORDS) return prompt.trim();
  const clause = prompt.split(/[,;.|:]/).find((c) => words(c).length > 0) ?? prompt;
  return capWords(words(clause).join(' '), SHORT_QUERY_WORDS).text;
}

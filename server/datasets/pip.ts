import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { parseRecords } from './jsonl.ts';
import { readText } from './tabular.ts';
import type { BenchUser, Dataset } from './types.ts';

/**
 * PIP, the Tailored Visions (Chen et al., CVPR 2024) personalised image prompting data: one JSON-lines
 * file per user, each line a generation with `prompt`, `user_id`, `NSFW` and `result_url`. The last
 * `testPerUser` (default 2) safe records of a user are the test queries, the others the history, unless
 * records carry an explicit `split` ("train" / "test").
 */
export const PipRecord = z
  .object({
    prompt: z.string().trim().min(1, 'prompt is empty'),
    user_id: z.union([z.string().min(1), z.number()]).transform(String),
    NSFW: z.union([z.boolean(), z.literal(0), z.literal(1), z.enum(['True', 'False', 'true', 'false'])]).transform((v) => v === true || v === 1 || v === 'True' || v === 'true'),
    result_url: z.string().min(1, 'result_url is empty'),
    split: z.enum(['train', 'test']).optional(),
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
    users.push({ id, history: train.map((r) => r.prompt), queries: test.map((r) => r.prompt), referenceImages: train.map((r) => r.result_url) });
  }
  return { name: 'pip', users, source: dir };
}

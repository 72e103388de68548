import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';
import { parseRecords } from './jsonl.ts';
import { readText } from './tabular.ts';
import type { BenchUser, Dataset } from './types.ts';

/**
 * ZIP-Bench-style users (the paper's benchmark layout): one JSON record per user, in a JSON-lines file
 * or a JSON array:
 *   {"user_id": "u1", "persona": "You are ...", "history": ["prompt", ...],
 *    "reference_images": ["images/u1/0.png", ...], "queries": ["prompt", ...]?, "demographics": {...}?}
 * Relative image paths resolve against the file's directory. Without `queries`, the last `queriesPerUser`
 * history prompts are held out.
 */
export const ZipBenchRecord = z.object({
  user_id: z.union([z.string().min(1), z.number()]).transform(String),
  persona: z.string().trim().min(1, 'persona is empty'),
  history: z.array(z.string().trim().min(1)).min(1, 'history needs at least one prompt'),
  reference_images: z.array(z.string().min(1)).default([]),
  queries: z.array(z.string().trim().min(1)).min(1).optional(),
  demographics: z.record(z.string(), z.string()).optional(),
});

export async function loadZipBench(file: string, options: { queriesPerUser?: number } = {}): Promise<Dataset> {
  const n = options.queriesPerUser ?? 2;
  const records = parseRecords(await readText(file, `ZIP-Bench file ${file}`), ZipBenchRecord, `ZIP-Bench file ${file}`);
  const seen = new Set<string>();
  const base = dirname(file);
  const users = records.map((r): BenchUser => {
    if (seen.has(r.user_id)) throw new InputError(`ZIP-Bench file ${file}: user ${r.user_id} appears twice`);
    seen.add(r.user_id);
    if (!r.queries && r.history.length <= n) {
      throw new InputError(`ZIP-Bench file ${file}: user ${r.user_id} has ${r.history.length} history prompts; give "queries" or more than ${n} prompts`);
    }
    const resolve = (p: string) => (/^[a-z]+:\/\//i.test(p) || isAbsolute(p) ? p : join(base, p));
    return {
      id: r.user_id,
      persona: r.persona,
      history: r.queries ? r.history : r.history.slice(0, r.history.length - n),
      queries: r.queries ?? r.history.slice(r.history.length - n),
      referenceImages: r.reference_images.map(resolve),
      ...(r.demographics ? { demographics: r.demographics } : {}),
    };
  });
  return { name: 'zip-bench', users, source: file };
}

import { readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Usage } from '../../shared/schemas/llm.ts';
import { InputError } from '../../shared/errors.ts';

/**
 * What a finished run rendered and where its numbers come from, written to `<out>/manifest.json`: every
 * sample (user × query × method × LLM × seed) with the keys of its image and of the original prompt's
 * text embedding, the reference images for CMMD, the users' demographics and the LLM usage. The report
 * is computed from this file and the run's store alone, so `zipp bench report` needs no LLM or engine.
 */
export const Sample = z.object({
  /** LLM name; null for methods that need none (original, static). */
  llm: z.string().nullable(),
  method: z.string(),
  user: z.string(),
  /** Index of the query among the user's held-out prompts. */
  query: z.number().int(),
  seed: z.number().int(),
  original: z.string(),
  /** The prompt the engine rendered. */
  prompt: z.string(),
  /** Content-address key of the image (its embedding's key). */
  image: z.string(),
  /** Key of the original prompt's text embedding. */
  text: z.string(),
});
export type Sample = z.infer<typeof Sample>;

export const GuardCounts = z.object({ passed: z.number().int(), retried: z.number().int(), failed: z.number().int() });
export type GuardCounts = z.infer<typeof GuardCounts>;

export const Manifest = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  /** The run's config, as given (methods as ids), with paths made absolute. */
  config: z.record(z.string(), z.unknown()),
  dataset: z.object({ name: z.string(), source: z.string(), users: z.number().int(), totalUsers: z.number().int(), queriesPerUser: z.number().int() }),
  engine: z.object({ kind: z.string(), model: z.string(), seeds: z.number().int() }),
  clip: z.object({ model: z.string(), image: z.string(), text: z.string() }),
  llms: z.array(z.object({ name: z.string(), model: z.string(), baseUrl: z.string(), price: z.object({ input: z.number(), output: z.number() }).optional() })),
  methods: z.array(z.object({ id: z.string(), label: z.string(), llm: z.boolean() })),
  samples: z.array(Sample),
  reference: z.object({ kind: z.enum(['dataset', 'history', 'none']), images: z.array(z.object({ user: z.string(), image: z.string() })) }),
  demographics: z.record(z.string(), z.record(z.string(), z.string())),
  personas: z.record(z.string(), z.object({ source: z.string(), text: z.string() })),
  /** Static baseline feature lists per user. */
  features: z.record(z.string(), z.array(z.string())),
  /** Total LLM usage of every unit the run's results rest on (made now or earlier), per LLM name. */
  usage: z.record(z.string(), Usage),
  /** Subject-guard outcomes per "llm|method". */
  guard: z.record(z.string(), GuardCounts),
  images: z.object({ unique: z.number().int(), references: z.number().int() }),
});
export type Manifest = z.infer<typeof Manifest>;

export const MANIFEST_FILE = 'manifest.json';

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const path = join(dir, MANIFEST_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(manifest, null, 1)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(`${path} not found: run the benchmark first (zipp bench --out ${dir} ...)`);
  }
  const parsed = Manifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InputError(`${path} is not a benchmark manifest of this version (${parsed.error.issues[0]!.path.join('.')}): rerun zipp bench`);
  return parsed.data;
}

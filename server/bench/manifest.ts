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
  /** The prompt as the user wrote it: CLIPScore's text. */
  original: z.string(),
  /** What the methods took as the user's prompt (PIP: the query shortened to under 10 words; else = original). */
  input: z.string(),
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

/** A persona a run used: whose, from what, and (mined personas) the evidence it rests on. */
export const ManifestPersona = z.object({
  user: z.string(),
  source: z.string(),
  /** Mined personas: the importance source that weighted the communities. */
  importance: z.string().optional(),
  text: z.string(),
  template: z.string().optional(),
  /** Mined personas: per community the normalised importance, its token budget ⌊B·α̃⌋ and the tokens used. */
  evidence: z
    .object({
      budget: z.number().int(),
      tokens: z.number().int(),
      spillover: z.boolean(),
      communities: z.array(z.object({ name: z.string(), weight: z.number(), budget: z.number().int(), used: z.number().int(), items: z.number().int() })),
    })
    .optional(),
  warnings: z.array(z.string()).default([]),
});
export type ManifestPersona = z.infer<typeof ManifestPersona>;

export const MANIFEST_VERSION = 2;

export const Manifest = z.object({
  version: z.literal(MANIFEST_VERSION),
  createdAt: z.string(),
  /** paper | product (see paper-protocol.md). */
  protocol: z.enum(['paper', 'product']),
  /** The run's config, as given (methods as ids), with paths made absolute. */
  config: z.record(z.string(), z.unknown()),
  dataset: z.object({
    name: z.string(),
    source: z.string(),
    users: z.number().int(),
    totalUsers: z.number().int(),
    queriesPerUser: z.number().int(),
    /** How the dataset's prompts were made, where that differs from the paper (MovieLens: no TMDB). */
    note: z.string().optional(),
    /** Mined personas: per user, the own texts left out of the evidence for being or quoting a held-out prompt. */
    textsWithheld: z.record(z.string(), z.number().int()).optional(),
    /** PIP with `dataset.shorten: "llm"`: which LLM shortened how many queries (answers cut, rule fallbacks). */
    shortening: z
      .object({ method: z.literal('llm'), template: z.string(), llm: z.string(), queries: z.number().int(), cut: z.number().int(), fallback: z.number().int() })
      .optional(),
  }),
  engine: z.object({ kind: z.string(), model: z.string(), seeds: z.number().int() }),
  clip: z.object({ model: z.string(), image: z.string(), text: z.string() }),
  llms: z.array(z.object({ name: z.string(), model: z.string(), baseUrl: z.string(), price: z.object({ input: z.number(), output: z.number() }).optional() })),
  methods: z.array(z.object({ id: z.string(), label: z.string(), llm: z.boolean(), importance: z.string().optional() })),
  samples: z.array(Sample),
  reference: z.object({
    kind: z.enum(['dataset', 'history', 'none']),
    images: z.array(z.object({ user: z.string(), image: z.string() })),
    /** Per-user CMMD counts a user with at least this many images on both sides. */
    minImages: z.number().int(),
    /**
     * `history` references: each user's history split (seeded) into the reference prompts rendered for
     * CMMD and the context every method and the persona drew on; the two never share a prompt.
     */
    split: z
      .object({
        seed: z.number().int(),
        users: z.record(z.string(), z.object({ reference: z.array(z.string()), context: z.number().int() })),
      })
      .optional(),
  }),
  demographics: z.record(z.string(), z.record(z.string(), z.string())),
  /** Keyed by user, or "user@importance" for mined personas. */
  personas: z.record(z.string(), ManifestPersona),
  /** Mined personas: the importance sources and, per source, the posting accuracy of its ranker. */
  importance: z
    .object({
      sources: z.array(z.string()),
      encoder: z.string().optional(),
      postingAccuracy: z.record(z.string(), z.object({ ranker: z.string(), value: z.number(), users: z.number().int() })).optional(),
    })
    .optional(),
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

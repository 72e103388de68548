import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseRecords } from './jsonl.ts';
import { readText } from './tabular.ts';
import type { BenchUser, Dataset } from './types.ts';

/**
 * RapidData-style preference data (after Rapidata's text-to-image human-preference sets): one record per
 * image pair with the prompt, both images and the models that made them, and the individual votes, each
 * tagged with the annotator's anonymised demographics:
 *   {"prompt": "...", "image1": "a.png", "image2": "b.png", "model1": "flux-2-pro", "model2": "sdxl",
 *    "votes": [{"choice": "image1", "age": "25-34", "gender": "female", "country": "Brazil",
 *               "language": "pt", "profession": "Student"}, ...]}
 * (`occupation` is accepted for `profession`). Annotators are anonymous, so a "user" is a demographic
 * profile: everyone sharing age, gender, country, language and profession — which is also how the paper
 * personalises for RapidData, from these attributes alone.
 */
export const DEMOGRAPHIC_AXES = ['age', 'gender', 'country', 'language', 'profession'] as const;

const Vote = z
  .object({
    choice: z.enum(['image1', 'image2']),
    age: z.string().min(1),
    gender: z.string().min(1),
    country: z.string().min(1),
    language: z.string().min(1),
    profession: z.string().min(1).optional(),
    occupation: z.string().min(1).optional(),
  })
  .refine((v) => v.profession ?? v.occupation, { message: 'profession (or occupation) is required', path: ['profession'] })
  .transform(({ occupation, ...v }) => ({ ...v, profession: (v.profession ?? occupation)! }));

export const PreferenceRecord = z.object({
  prompt: z.string().trim().min(1, 'prompt is empty'),
  image1: z.string().min(1),
  image2: z.string().min(1),
  model1: z.string().min(1),
  model2: z.string().min(1),
  votes: z.array(Vote).min(1, 'a pair needs at least one vote'),
});
export type PreferenceRecord = z.output<typeof PreferenceRecord>;
export type Demographics = Record<(typeof DEMOGRAPHIC_AXES)[number], string>;

export async function readPreferences(file: string): Promise<PreferenceRecord[]> {
  return parseRecords(await readText(file, `RapidData file ${file}`), PreferenceRecord, `RapidData file ${file}`);
}

/** A stable id for a demographic profile. */
export const profileId = (d: Demographics): string =>
  createHash('sha256').update(DEMOGRAPHIC_AXES.map((a) => d[a]).join('\u0000')).digest('hex').slice(0, 12);

/**
 * Users as demographic profiles: the prompts each profile voted on, in file order, the last
 * `queriesPerUser` (default 2) held out as queries; profiles with fewer prompts than that + 1 are skipped.
 */
export async function loadRapidData(file: string, options: { queriesPerUser?: number } = {}): Promise<Dataset> {
  const n = options.queriesPerUser ?? 2;
  const profiles = new Map<string, { demographics: Demographics; prompts: string[] }>();
  for (const record of await readPreferences(file)) {
    for (const v of record.votes) {
      const demographics = Object.fromEntries(DEMOGRAPHIC_AXES.map((a) => [a, v[a]])) as Demographics;
      const id = profileId(demographics);
      let p = profiles.get(id);
      if (!p) profiles.set(id, (p = { demographics, prompts: [] }));
      if (!p.prompts.includes(record.prompt)) p.prompts.push(record.prompt);
    }
  }
  const users: BenchUser[] = [];
  for (const [id, p] of profiles) {
    if (p.prompts.length < n + 1) continue;
    users.push({ id, demographics: p.demographics, history: p.prompts.slice(0, -n), queries: p.prompts.slice(-n) });
  }
  return { name: 'rapiddata', users, source: file };
}

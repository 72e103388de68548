import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BasePrompt } from '../../shared/schemas/rewrite.ts';
import { MethodId, Model } from '../bench/config.ts';
import { methodLabel, type MethodSpec } from '../bench/methods.ts';
import { EngineConfig } from '../engines/config.ts';
import { ConfigError, NotFoundError } from '../../shared/errors.ts';

/**
 * An A/B study (the paper's Appendix G): participants fill the intake questionnaire, the LLM turns it into
 * their persona, and each trial shows two images of one prompt made under the two arms of a condition,
 * in random left/right order and without labels. A study is a JSON file `<data dir>/studies/<id>.json`.
 *
 *   {"id": "pilot", "prompts": ["a cosy reading corner", ...],
 *    "conditions": [{"id": "persona-vs-none", "a": {"method": "persona"}, "b": {"method": "baseline"}, "trials": 5}, ...],
 *    "engines": {"main": {"kind": "comfyui", "urls": ["http://127.0.0.1:8188"]}}}
 */
const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use lower-case letters, digits and dashes, e.g. persona-vs-none');

export const StudyArm = z.strictObject({
  /** A benchmark method: original, baseline, persona, fewshot:K, fewshot-baseline:K, retrieval:K, static. */
  method: MethodId,
  /** Whose persona conditions the rewrite: the participant's own, or another participant's (the paper's condition 2). */
  persona: z.enum(['own', 'other']).default('own'),
  /** An engine of `engines` (default: the first) — so a condition can also compare engines or models. */
  engine: z.string().min(1).optional(),
  model: Model.optional(),
});
export type StudyArm = z.output<typeof StudyArm>;

export const StudyCondition = z.strictObject({
  id: Slug,
  /** Shown in results only, never to participants. */
  label: z.string().min(1).max(120).optional(),
  a: StudyArm,
  b: StudyArm,
  /** Trials of this condition per participant. */
  trials: z.number().int().min(1).max(100),
});
export type StudyCondition = z.output<typeof StudyCondition>;

export const StudyConfig = z
  .strictObject({
    id: Slug,
    title: z.string().min(1).max(200).default('Which image suits you better?'),
    intro: z.string().max(2000).default('First a few questions about you (about 3 minutes), then pairs of pictures: pick the one that suits your taste better. There are no right answers.'),
    prompts: z.array(BasePrompt).min(1, 'give at least one prompt'),
    /** Earlier prompts for few-shot and retrieval arms; default: the study's other prompts. */
    history: z.array(BasePrompt).default([]),
    /** Personas used by `persona: "other"` arms until other participants have one. */
    otherPersonas: z.array(z.string().trim().min(1)).default([]),
    conditions: z.array(StudyCondition).min(1, 'give at least one condition'),
    engines: z.record(Slug, EngineConfig).refine((e) => Object.keys(e).length > 0, 'name at least one engine'),
    model: Model.default('sdxl'),
    generation: z
      .strictObject({ steps: z.number().int().min(1).max(500).optional(), size: z.number().int().min(64).max(4096).optional() })
      .default({}),
    /** First seed; each trial renders both arms with the same seed so only the prompt differs. */
    seed: z.number().int().min(0).default(0),
  })
  .superRefine((c, ctx) => {
    const ids = c.conditions.map((x) => x.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['conditions', i, 'id'], message: `condition ${id} is listed twice` });
    });
    c.conditions.forEach((cond, i) => {
      for (const side of ['a', 'b'] as const) {
        const arm = cond[side];
        if (arm.engine && !c.engines[arm.engine]) ctx.addIssue({ code: 'custom', path: ['conditions', i, side, 'engine'], message: `no engine ${arm.engine} in engines` });
        if (arm.persona === 'other' && c.otherPersonas.length === 0) {
          ctx.addIssue({ code: 'custom', path: ['otherPersonas'], message: 'a "persona": "other" arm needs otherPersonas for the first participants' });
        }
      }
      if (armLabel(cond.a) === armLabel(cond.b) && (cond.a.engine ?? '') === (cond.b.engine ?? '') && cond.a.model === cond.b.model) {
        ctx.addIssue({ code: 'custom', path: ['conditions', i], message: 'the two arms are the same: change the method, persona, engine or model of one' });
      }
    });
  });
export type StudyConfig = z.output<typeof StudyConfig>;

/** How an arm is named in results ("ZIPP (0-shot), other persona", "… on flux"). */
export function armLabel(arm: { method: MethodSpec; persona: 'own' | 'other'; engine?: string; model?: string }): string {
  return [methodLabel(arm.method), arm.persona === 'other' ? 'other persona' : '', arm.engine ? `engine ${arm.engine}` : '', arm.model ?? ''].filter(Boolean).join(', ');
}

/** A study file the operator wrote that cannot be used: the participant cannot fix it (HTTP 503). */
const INVALID = { code: 'study_config_invalid' };

export async function loadStudyConfig(studiesDir: string, id: string): Promise<StudyConfig> {
  const path = join(studiesDir, `${id}.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(`no study ${id}: put its config in ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`study ${path} is not valid JSON (${(err as Error).message.split('\n')[0]})`, INVALID);
  }
  const r = StudyConfig.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ConfigError(`study ${path}: ${issue.path.join('.') || 'config'}: ${issue.message}`, INVALID);
  }
  if (r.data.id !== id) throw new ConfigError(`study ${path}: its id is "${r.data.id}"; name the file ${r.data.id}.json`, INVALID);
  return r.data;
}

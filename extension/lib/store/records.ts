import { z } from 'zod';
import { BasePrompt, GuardStatus, RewriteMethod, RewriteStrength } from '../../../shared/schemas/rewrite.ts';

/**
 * The rows the extension keeps in IndexedDB (schema version 2, see db.ts). Personas use the shared
 * `Persona` schema unchanged; everything else is extension-only state.
 */

/** A site the person turned the extension on/off for, keyed by `location.host` (host[:port]). */
export const SiteRecord = z.object({
  host: z.string().min(1),
  /** Supported sites are on unless turned off; any other site (generic mode) is off unless turned on. */
  enabled: z.boolean().optional(),
  /** Opt-in: keep the prompts submitted on this site as few-shot examples. */
  capture: z.boolean().default(false),
  /** Persona to use on this site instead of the active one. */
  personaId: z.string().optional(),
  /** The prompt box the person picked on this site (a CSS selector), used before the adapter's. */
  promptSelector: z.string().min(1).max(1000).optional(),
});
export type SiteRecord = z.infer<typeof SiteRecord>;

/** One prompt the person submitted on a site (captured only where they opted in). */
export const HistoryRecord = z.object({
  id: z.number().int().positive().optional(),
  site: z.string().min(1),
  prompt: BasePrompt,
  createdAt: z.iso.datetime(),
});
export type HistoryRecord = z.infer<typeof HistoryRecord>;

export const RewriteOutcome = z.enum(['pending', 'accepted', 'undone', 'discarded']);
export type RewriteOutcome = z.infer<typeof RewriteOutcome>;

/**
 * How many rewrites the preview offers: one, or two side by side in random order — the site's persona
 * against no persona, or against a second persona — so the person's pick becomes a pairwise preference.
 */
export const CandidateMode = z.enum(['one', 'persona-vs-none', 'persona-vs-persona']);
export type CandidateMode = z.infer<typeof CandidateMode>;
export const ArmId = z.enum(['a', 'b'], 'must be "a" (the site\'s persona) or "b" (the other candidate)');
export type ArmId = z.infer<typeof ArmId>;

/** How `persona-vs-none` names its arms in votes (what `zipp metrics winrate --votes` reads). */
export const PERSONA_ARM = 'persona';
export const NO_PERSONA_ARM = 'no persona';

/** A rewrite shown as one of two candidates: which pair, which arm, and how the arm is named in votes. */
export const CandidatePair = z.object({
  id: z.string().min(1),
  mode: CandidateMode.exclude(['one']),
  arm: ArmId,
  /** "persona" / "no persona", or the persona's name (persona-vs-persona). */
  label: z.string().min(1),
  /** Shown first (top) in the preview. */
  first: z.boolean(),
});
export type CandidatePair = z.infer<typeof CandidatePair>;

/** One rewrite the extension produced, and what the person did with it. */
export const RewriteRecord = z.object({
  id: z.number().int().positive().optional(),
  site: z.string().min(1),
  base: z.string(),
  rewritten: z.string(),
  personaId: z.string().nullable(),
  method: RewriteMethod,
  model: z.string(),
  template: z.string().optional(),
  guard: GuardStatus.optional(),
  outcome: RewriteOutcome,
  createdAt: z.iso.datetime(),
  /** Set when the rewrite was one of two candidates. */
  pair: CandidatePair.optional(),
  /** The strength dial when it was made (absent in rows older than the dial: balanced). */
  strength: RewriteStrength.optional(),
});
export type RewriteRecord = z.infer<typeof RewriteRecord>;

/**
 * The person's pick between two candidates: the A/B study's vote, taken by the person on themselves.
 * Arm A is always the site's persona; B is no persona or the second persona.
 */
export const VoteRecord = z.object({
  id: z.number().int().positive().optional(),
  site: z.string('must be the site\'s host, such as "ideogram.ai"').min(1, 'must be the site\'s host, such as "ideogram.ai"'),
  mode: CandidateMode.exclude(['one'], 'must be "persona-vs-none" or "persona-vs-persona"'),
  a: z.string('must name arm A (the site\'s persona)').min(1, 'must name arm A (the site\'s persona)'),
  b: z.string('must name arm B ("no persona" or the second persona\'s name)').min(1, 'must name arm B ("no persona" or the second persona\'s name)'),
  aPersonaId: z.string('must be the id of the persona of arm A'),
  bPersonaId: z.string('must be the id of the second persona, or null for "no persona"').nullable(),
  winner: ArmId,
  /** The arm shown first, so order effects can be checked. */
  first: ArmId,
  /**
   * The two rewrite-log rows (arm A, arm B). Absent on a vote imported from a backup: the log stays in
   * the browser that made it, and its ids would name unrelated rows here.
   */
  logIds: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  createdAt: z.iso.datetime('must be an ISO date-time such as 2025-01-31T12:00:00.000Z'),
});
export type VoteRecord = z.infer<typeof VoteRecord>;

/**
 * How rewrites are made. `auto` = few-shot from the site's history when there is any, else zero-shot
 * with the persona.
 */
export const MethodPreference = z.enum(['auto', 'persona', 'fewshot']);
export type MethodPreference = z.infer<typeof MethodPreference>;

export const Preferences = z.object({
  activePersonaId: z.string().optional(),
  method: MethodPreference.default('auto'),
  /** Few-shot examples taken from the site's history (1–5). */
  fewShotK: z.number().int().min(1).max(5).default(3),
  /** Which onnxruntime-web backend the persona inference uses; `auto` = WebGPU when an adapter exists. */
  inferenceBackend: z.enum(['auto', 'webgpu', 'wasm']).default('auto'),
  /** Set once the first-run page was finished or skipped. */
  onboarded: z.boolean().default(false),
  /** How far rewrites move from the prompt (instruction and temperature). */
  strength: RewriteStrength.default('balanced'),
  /** One rewrite, or two candidates to choose between (each pick is kept as a vote). */
  candidates: CandidateMode.default('one'),
  /** The second persona of `persona-vs-persona`. */
  comparePersonaId: z.string().optional(),
});
export type Preferences = z.infer<typeof Preferences>;

/** Captured prompts kept per site; older ones are dropped first. */
export const HISTORY_PER_SITE = 500;

import { z } from 'zod';
import { TemplateRef } from './persona.ts';
import { Usage } from './llm.ts';

/**
 * Rewrite methods, named as on the CLI and the HTTP API:
 * - baseline: zero-shot, no persona          - persona: zero-shot, role-playing the persona
 * - fewshot: n previous prompts + persona    - fewshot-baseline: n previous prompts, no persona
 * - retrieval: Tailored-Visions style, the k history prompts most similar to the prompt, no persona
 */
/** Which image-site syntax a prompt is written in (what shared/rewrite/syntax.ts keeps intact). */
export const PromptSyntax = z.enum(['auto', 'midjourney', 'stable-diffusion', 'none']);
export type PromptSyntax = z.infer<typeof PromptSyntax>;

/** How far a rewrite may move from the prompt: the instruction and the temperature (shared/rewrite/templates.ts). */
export const RewriteStrength = z.enum(['subtle', 'balanced', 'strong']);
export type RewriteStrength = z.infer<typeof RewriteStrength>;

export const RewriteMethod = z.enum(['baseline', 'persona', 'fewshot', 'fewshot-baseline', 'retrieval']);
export type RewriteMethod = z.infer<typeof RewriteMethod>;

export const PROMPT_MAX_CHARS = 2000;

export const BasePrompt = z
  .string()
  .trim()
  .min(1, 'the prompt is empty: give the text you would type into the image generator')
  .max(PROMPT_MAX_CHARS, `the prompt is over ${PROMPT_MAX_CHARS} characters: shorten it`);

export const RewriteRequest = z.object({
  prompt: BasePrompt,
  persona: z.string().trim().min(1, 'the persona is empty').optional(),
  /** Defaults to `persona` when a persona is given, else `baseline`. */
  method: RewriteMethod.optional(),
  /** The user's previous prompts, oldest first (few-shot examples and the retrieval pool). */
  history: z.array(z.string().trim().min(1)).max(10_000).optional(),
  /** Few-shot examples (1–5) or retrieved prompts (k). Default 3. */
  k: z.number().int().min(1).max(5).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** How `retrieval` ranks history prompts. */
  retrieval: z.enum(['bm25', 'embedding']).optional(),
  /**
   * Site syntax kept byte for byte (Midjourney parameters, Stable Diffusion weights and LoRA tags; see
   * shared/rewrite/syntax.ts). The core's default is "none" (the prompt goes to the model as it is);
   * /v1/rewrite, `zipp rewrite` and the extension default to "auto".
   */
  syntax: PromptSyntax.optional(),
  /** subtle | balanced (default) | strong: changes the instruction and the default temperature. */
  strength: RewriteStrength.optional(),
});
export type RewriteRequest = z.infer<typeof RewriteRequest>;

/** The over-personalization guard's verdict on the primary subjects of the base prompt. */
export const GuardStatus = z.enum(['passed', 'retried', 'failed']);
export type GuardStatus = z.infer<typeof GuardStatus>;

export const RewriteResult = z.object({
  rewritten: z.string(),
  method: RewriteMethod,
  template: TemplateRef,
  model: z.string(),
  guard: GuardStatus,
  usage: Usage,
  /** Subjects of the base prompt the final rewrite still lacks (empty when guard passed). */
  missing: z.array(z.string()).optional(),
  warnings: z.array(z.string()).optional(),
});
export type RewriteResult = z.infer<typeof RewriteResult>;

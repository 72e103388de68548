import { z } from 'zod';

/** Where a persona came from; the extension and the server show it next to the text. */
export const PersonaSource = z.enum(['manual', 'questionnaire', 'communities', 'export']);
export type PersonaSource = z.infer<typeof PersonaSource>;

/** "template-id@version": every generated artefact records the template that made it. */
export const TemplateRef = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]*@\d+$/, 'expected "template-id@version", e.g. "persona-from-texts@1"');

/** One piece of text that went into a persona's LLM context, with where it came from. */
export const EvidenceItem = z.object({
  community: z.string().min(1),
  text: z.string(),
  tokens: z.number().int().nonnegative(),
  score: z.number().optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

/** What a generated persona was built from, so a person can see (and audit) the evidence. */
export const PersonaEvidence = z.object({
  /** Communities with their normalised importance (attention or TF-IDF), highest first. */
  communities: z.array(z.object({ name: z.string().min(1), weight: z.number().min(0).max(1) })).default([]),
  items: z.array(EvidenceItem).default([]),
  template: TemplateRef.optional(),
  model: z.string().optional(),
  /** Sentences the sensitive-attribute guard removed from the LLM's answer. */
  removed: z.array(z.string()).default([]),
});
export type PersonaEvidence = z.infer<typeof PersonaEvidence>;

/** Personas longer than this many tokens are refused or cut: the paper saw hallucination beyond it. */
export const PERSONA_MAX_TOKENS = 8000;

export const Persona = z.object({
  id: z.string().min(1).max(128),
  name: z.string().trim().min(1, 'give the persona a name').max(120),
  text: z.string().trim().min(1, 'the persona text is empty: write a few sentences about who you are'),
  source: PersonaSource,
  evidence: PersonaEvidence.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Persona = z.infer<typeof Persona>;

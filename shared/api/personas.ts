import { z } from 'zod';
import { QuestionnaireAnswers } from '../persona/questionnaire.ts';
import { CommunityList, CommunityName } from '../schemas/community.ts';
import { Usage } from '../schemas/llm.ts';
import { PersonaEvidence } from '../schemas/persona.ts';

/** A community list in a body: every entry exactly {name, posts?, comments?}; then the core's list rules (unique, active). */
const Communities = z
  .array(
    z.strictObject({
      name: CommunityName,
      posts: z.number().int().nonnegative().optional(),
      comments: z.number().int().nonnegative().optional(),
    }),
  )
  .max(1000, 'at most 1,000 communities per user')
  .pipe(CommunityList);

/** `POST /v1/personas/infer`. */
export const InferBody = z.strictObject({
  communities: Communities,
  /** Also return this many vocabulary communities closest to the user (0 = none). */
  suggest: z.number().int().min(0).max(100).default(0),
  /** Leave the embedding out of the answer (it is the bulk of it). */
  embedding: z.boolean().default(true),
});

/** One community of an encoded user, most important first. */
export const RankedCommunity = z.object({
  name: z.string(),
  /** Display spelling from the vocabulary. */
  label: z.string(),
  /** False when the model never saw the community (features from its name). */
  known: z.boolean(),
  posts: z.number(),
  comments: z.number(),
  /** Mean attention over layers and heads; sums to 1 over the user's communities. */
  attention: z.number(),
});
export type RankedCommunity = z.infer<typeof RankedCommunity>;

/** The answer of /v1/personas/infer: shared/encoder's EncodedUser as the API shows it (attention, labels, suggestions). */
export const InferResponse = z.object({
  communities: z.array(RankedCommunity),
  /** Communities the model left out (unknown with no embedder, or beyond its neighbourhood size). */
  ignored: z.array(z.string()),
  embedding: z.array(z.number()).optional(),
  /** Vocabulary communities closest to the user that they are not in yet. */
  suggestions: z.array(z.object({ name: z.string(), label: z.string(), score: z.number() })).optional(),
});
export type InferResponse = z.infer<typeof InferResponse>;

/** `POST /v1/personas/verbalize`. */
export const VerbalizeBody = z.strictObject({
  communities: Communities,
  /** Importance per community (e.g. attention from /v1/personas/infer); default: the loaded encoder's attention, else activity share. */
  weights: z.array(z.strictObject({ name: CommunityName, weight: z.number().min(0) })).max(1000).optional(),
  /** The user's posts and comments as evidence. */
  texts: z
    .array(
      z.strictObject({
        community: z.string().trim().min(1).max(100).optional(),
        text: z.string().max(40_000, 'a text is over 40,000 characters: split it'),
        score: z.number().finite().optional(),
        id: z.string().max(200).optional(),
      }),
    )
    .max(20_000)
    .optional(),
  /** Token budget of the evidence (default 4,096). */
  budget: z.number().int().min(128).max(32_000).optional(),
  /** Keep sentences the sensitive-attribute guard flags (they are still reported). */
  keepSensitive: z.boolean().optional(),
  includeNsfw: z.boolean().optional(),
});
export type VerbalizeBody = z.output<typeof VerbalizeBody>;

/** `POST /v1/personas/questionnaire`. */
export const QuestionnaireBody = z.strictObject({
  answers: z.strictObject(QuestionnaireAnswers.shape),
  keepSensitive: z.boolean().optional(),
});

/** The answer of /v1/personas/verbalize and /v1/personas/questionnaire. */
export const PersonaResponse = z.object({
  text: z.string(),
  template: z.string(),
  model: z.string(),
  usage: Usage,
  evidence: PersonaEvidence,
  removed: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  warnings: z.array(z.string()),
  /** Where the community importance came from: the request's `weights`, the loaded encoder, or activity share. */
  importance: z.enum(['weights', 'encoder', 'activity']).optional(),
});
export type PersonaResponse = z.infer<typeof PersonaResponse>;

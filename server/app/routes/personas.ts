import type { Hono } from 'hono';
import { z } from 'zod';
import { QuestionnaireAnswers } from '../../../shared/persona/index.ts';
import { CommunityList, CommunityName } from '../../../shared/schemas/community.ts';
import { Usage } from '../../../shared/schemas/llm.ts';
import { PersonaEvidence } from '../../../shared/schemas/persona.ts';
import { fromQuestionnaire, verbalize } from '../adapters/persona.ts';
import type { AppEnv } from '../env.ts';
import type { ApiDocs } from '../openapi.ts';
import { defineRoute } from '../route.ts';
import type { AppServices } from '../services.ts';

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

export const InferBody = z.strictObject({
  communities: Communities,
  /** Also return this many vocabulary communities closest to the user (0 = none). */
  suggest: z.number().int().min(0).max(100).default(0),
  /** Leave the embedding out of the answer (it is the bulk of it). */
  embedding: z.boolean().default(true),
});

export const InferResponse = z.object({
  communities: z.array(
    z.object({ name: z.string(), label: z.string(), known: z.boolean(), posts: z.number(), comments: z.number(), attention: z.number() }),
  ),
  ignored: z.array(z.string()),
  embedding: z.array(z.number()).optional(),
  suggestions: z.array(z.object({ name: z.string(), label: z.string(), score: z.number() })).optional(),
});

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

export const QuestionnaireBody = z.strictObject({
  answers: z.strictObject(QuestionnaireAnswers.shape),
  keepSensitive: z.boolean().optional(),
});

export const PersonaResponse = z.object({
  text: z.string(),
  template: z.string(),
  model: z.string(),
  usage: Usage,
  evidence: PersonaEvidence,
  removed: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  warnings: z.array(z.string()),
  importance: z.enum(['weights', 'encoder', 'activity']).optional(),
});

const llmErrors = {
  502: { description: 'the LLM failed or gave nothing usable (llm_error)' },
  503: { description: 'no LLM configured (llm_not_configured)' },
};

export function personaRoutes(app: Hono<AppEnv>, docs: ApiDocs, s: AppServices): void {
  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: '/v1/personas/infer',
      tag: 'personas',
      summary: "Rank a user's communities by the encoder's attention and embed the user (onnxruntime-node)",
      body: InferBody,
      responses: {
        200: { description: 'communities most important first, the user embedding', schema: InferResponse },
        503: { description: 'no encoder loaded (not_available)' },
      },
    },
    async (c, { body }) => {
      const user = await s.encoder.encode(body.communities, { suggest: body.suggest });
      return c.json(body.embedding ? user : { ...user, embedding: undefined });
    },
  );

  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: '/v1/personas/verbalize',
      tag: 'personas',
      summary: 'Write a second-person persona from communities (and texts) with the LLM; sensitive attributes removed',
      body: VerbalizeBody,
      responses: { 200: { description: 'the persona with its evidence', schema: PersonaResponse }, ...llmErrors },
    },
    async (c, { body }) => c.json(await verbalize(s.llm, s.encoder, body, c.get('signal'))),
  );

  defineRoute(
    app,
    docs,
    {
      method: 'post',
      path: '/v1/personas/questionnaire',
      tag: 'personas',
      summary: 'Write a persona from the 10-question intake questionnaire',
      body: QuestionnaireBody,
      responses: { 200: { description: 'the persona', schema: PersonaResponse }, ...llmErrors },
    },
    async (c, { body }) =>
      c.json(await fromQuestionnaire(s.llm, body.answers, { ...(body.keepSensitive ? { keepSensitive: true } : {}), signal: c.get('signal') })),
  );
}

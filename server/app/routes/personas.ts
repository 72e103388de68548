import { InferBody, InferResponse, PersonaResponse, QuestionnaireBody, VerbalizeBody } from '../../../shared/api/personas.ts';
import { fromQuestionnaire, verbalize } from '../adapters/persona.ts';
import { apiRoute, jsonBody, jsonResponse, type ApiApp } from '../api-route.ts';
import type { AppServices } from '../services.ts';

const llmErrors = {
  502: { description: 'the LLM failed or gave nothing usable (llm_error)' },
  503: { description: 'no LLM configured (llm_not_configured)' },
};

export function personaRoutes(app: ApiApp, s: AppServices): void {
  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/personas/infer',
      tags: ['personas'],
      summary: "Rank a user's communities by the encoder's attention and embed the user (onnxruntime-node)",
      request: { body: jsonBody(InferBody) },
      responses: {
        200: jsonResponse('communities most important first, the user embedding', InferResponse),
        503: { description: 'no encoder loaded (not_available)' },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const user = await s.encoder.encode(body.communities, { suggest: body.suggest });
      return c.json(body.embedding ? user : { ...user, embedding: undefined }, 200);
    },
  );

  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/personas/verbalize',
      tags: ['personas'],
      summary: 'Write a second-person persona from communities (and texts) with the LLM; sensitive attributes removed',
      request: { body: jsonBody(VerbalizeBody) },
      responses: { 200: jsonResponse('the persona with its evidence', PersonaResponse), ...llmErrors },
    }),
    async (c) => c.json(await verbalize(s.llm, s.encoder, c.req.valid('json'), c.get('signal')), 200),
  );

  app.openapi(
    apiRoute({
      method: 'post',
      path: '/v1/personas/questionnaire',
      tags: ['personas'],
      summary: 'Write a persona from the 10-question intake questionnaire',
      request: { body: jsonBody(QuestionnaireBody) },
      responses: { 200: jsonResponse('the persona', PersonaResponse), ...llmErrors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await fromQuestionnaire(s.llm, body.answers, { ...(body.keepSensitive ? { keepSensitive: true } : {}), signal: c.get('signal') }), 200);
    },
  );
}

import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { QUESTIONNAIRE, QuestionnaireError } from '../../shared/persona/index.ts';
import { renderHtml, renderMarkdown } from '../bench/report/document.ts';
import { ApiError } from '../app/errors.ts';
import { toApiError } from '../app/error-handler.ts';
import { InputError } from '../../shared/errors.ts';
import type { StudyConfig } from './config.ts';
import { studyPageScript } from './page-bundle.ts';
import { studyDocument } from './report.ts';
import { studyResults } from './results.ts';
import { StudyService, type StudyServiceOptions } from './service.ts';

export interface StudyAppOptions extends StudyServiceOptions {
  /**
   * Guards the results routes (the server passes its bearer-token middleware); without one, results are
   * refused to everyone. Participants never need it.
   */
  resultsGuard?: MiddlewareHandler;
}

const StudyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const ParticipantId = z.string().regex(/^p_[0-9a-f]{24}$/);
const ImageKey = z.string().regex(/^[0-9a-f]{64}$/);
const JoinBody = z.strictObject({ answers: z.record(z.string(), z.unknown()) });
const ChoiceBody = z.strictObject({ choice: z.enum(['left', 'right'], { error: 'choice must be "left" or "right"' }) });

/**
 * The A/B study as a Hono sub-app, to mount at /study: the participant page and its API (public: a
 * participant has no token, only the unguessable id they get on joining), images by content key, and
 * the results (JSON, Markdown, HTML) behind `authorize`. Errors are the API's `{error: {code, message, field?}}`.
 *
 *   GET  /:study                          participant page          GET /assets/study.js   its script
 *   GET  /:study/api/form                 title, intro, questionnaire, number of trials
 *   POST /:study/api/participants         {answers} → {participant, trials}   (the LLM writes the persona)
 *   GET  /:study/api/participants/:id/next         → {trial, position, total, prompt, left, right} | {done: true}
 *   POST /:study/api/participants/:id/trials/:n    {choice: "left"|"right"}
 *   GET  /:study/images/:key              a trial image
 *   GET  /:study/results[.md|.html]       win rates + p-values (authorized)
 */
export function createStudyApp(options: StudyAppOptions): { app: Hono; service: StudyService; close(): void } {
  const service = new StudyService(options);
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new ApiError(413, 'payload_too_large', 'the body is over 64 KB; send only the answers'); } }));

  const study = async (c: Context): Promise<StudyConfig> => {
    const id = StudyId.safeParse(c.req.param('study'));
    if (!id.success) throw new ApiError(404, 'not_found', 'no such study: study ids are lower-case letters, digits and dashes');
    try {
      return await service.config(id.data);
    } catch (err) {
      if (err instanceof InputError && err.message.startsWith('no study')) throw new ApiError(404, 'not_found', err.message);
      if (err instanceof InputError) throw new ApiError(500, 'study_config_invalid', err.message);
      throw err;
    }
  };
  const participantOf = (c: Context, config: StudyConfig) => {
    const id = ParticipantId.safeParse(c.req.param('participant'));
    const p = id.success ? service.participant(config, id.data) : undefined;
    if (!p) throw new ApiError(404, 'not_found', 'no such participant in this study: start again from the study page');
    return p;
  };
  const body = async <S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new ApiError(400, 'invalid_json', 'the body must be a JSON object');
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.map(String).join('.') || undefined;
      throw new ApiError(400, 'invalid_request', `${field ? `${field}: ` : ''}${issue.message}`, field);
    }
    return r.data;
  };
  const guard: MiddlewareHandler =
    options.resultsGuard ??
    (() => {
      throw new ApiError(401, 'unauthorized', 'results need the server token: send "Authorization: Bearer <token>"', undefined, { 'WWW-Authenticate': 'Bearer' });
    });
  app.use('/:study/results', guard);
  app.use('/:study/results.md', guard);
  app.use('/:study/results.html', guard);

  app.get('/assets/study.js', async (c) => c.body(await studyPageScript(), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));

  app.get('/:study/api/form', async (c) => {
    const s = await study(c);
    const trials = s.conditions.reduce((n, x) => n + x.trials, 0);
    return c.json({ id: s.id, title: s.title, intro: s.intro, questionnaire: QUESTIONNAIRE, trials });
  });

  app.post('/:study/api/participants', async (c) => {
    const s = await study(c);
    const { answers } = await body(c, JoinBody);
    try {
      return c.json(await service.join(s, answers, c.req.raw.signal), 201);
    } catch (err) {
      if (err instanceof QuestionnaireError) {
        const field = /^questionnaire (\w+):/.exec(err.message)?.[1];
        throw new ApiError(400, 'invalid_request', err.message, field ? `answers.${field}` : 'answers');
      }
      throw err;
    }
  });

  app.get('/:study/api/participants/:participant/next', async (c) => {
    const s = await study(c);
    const view = await service.next(s, participantOf(c, s));
    return c.json(view ?? { done: true }, 200, { 'Cache-Control': 'no-store' });
  });

  app.post('/:study/api/participants/:participant/trials/:trial', async (c) => {
    const s = await study(c);
    const p = participantOf(c, s);
    const idx = Number(c.req.param('trial'));
    const { choice } = await body(c, ChoiceBody);
    const outcome = Number.isInteger(idx) ? service.choose(p, idx, choice) : 'unknown';
    if (outcome === 'unknown') throw new ApiError(404, 'not_found', `no trial ${c.req.param('trial')} for this participant`);
    if (outcome === 'taken') throw new ApiError(409, 'conflict', 'this pair was already answered; continue with the next one');
    if (outcome === 'not-shown') throw new ApiError(409, 'conflict', 'this pair has not been shown yet; ask for the next pair first');
    return c.json({ ok: true });
  });

  app.get('/:study/images/:key', async (c) => {
    const key = ImageKey.safeParse(c.req.param('key'));
    const image = key.success ? await service.image(key.data) : undefined;
    if (!image) throw new ApiError(404, 'not_found', 'no such image');
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': image.mime, 'Cache-Control': 'private, max-age=86400, immutable' });
  });

  app.get('/:study/results', async (c) => {
    const s = await study(c);
    return c.json(studyResults(service.db, s.id));
  });
  app.get('/:study/results.md', async (c) => {
    const s = await study(c);
    return c.body(renderMarkdown(await studyDocument(studyResults(service.db, s.id)), { charts: false }), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
  app.get('/:study/results.html', async (c) => {
    const s = await study(c);
    return c.html(renderHtml(await studyDocument(studyResults(service.db, s.id))));
  });

  app.get('/:study', async (c) => {
    const s = await study(c);
    // Absolute, so the page works wherever the sub-app is mounted: /study/pilot → /study/assets/study.js.
    return c.html(pageHtml(s, `${c.req.path.replace(/\/+$/, '').replace(/\/[^/]*$/, '')}/assets/study.js`));
  });

  app.onError((err, c) => {
    const api = toApiError(err);
    if (api.code === 'internal') options.onError?.('study request failed', err);
    return c.json(api.body(), api.status, api.headers);
  });
  return { app, service, close: () => service.close() };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The page shell; the script (page/main.ts, bundled) renders the questionnaire and the trials into #app. */
function pageHtml(s: StudyConfig, script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(s.title)}</title><link rel="icon" href="data:,">
<style>
body{font:16px/1.5 Helvetica,Arial,sans-serif;color:#222;max-width:980px;margin:2rem auto;padding:0 1rem}
fieldset{border:1px solid #ddd;border-radius:6px;margin:0 0 1rem;padding:.6rem 1rem}legend{font-weight:600}
label.option{display:inline-block;margin:.2rem 1rem .2rem 0}input[type=text],textarea{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
button{font:inherit;padding:.5rem 1.2rem;border-radius:6px;border:1px solid #888;background:#f4f4f4;cursor:pointer}button:disabled{opacity:.5}
.pair{display:flex;gap:1.5rem;flex-wrap:wrap}.pair figure{flex:1 1 380px;margin:0;text-align:center}
.pair img{width:100%;max-width:460px;aspect-ratio:1;object-fit:contain;background:#eee;border-radius:6px;cursor:pointer}
.prompt{font-size:1.1rem;background:#f6f6f6;padding:.6rem 1rem;border-radius:6px}[role=alert]{color:#b00020}
</style></head>
<body><main id="app" data-study="${escape(s.id)}"><h1>${escape(s.title)}</h1><p>Loading…</p></main>
<script type="module" src="${escape(script)}"></script>
</body></html>
`;
}

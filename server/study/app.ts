import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { parseQuestionnaireAnswers, QUESTIONNAIRE, QuestionnaireError } from '../../shared/persona/index.ts';
import { renderHtml, renderMarkdown } from '../bench/report/document.ts';
import { ApiError } from '../http/errors.ts';
import { toApiError } from '../http/to-api-error.ts';
import { TokenBuckets } from '../http/token-buckets.ts';
import { DOCUMENT_CSP } from '../http/security-headers.ts';
import { readJson } from '../http/read-json.ts';
import type { StudyConfig } from './config.ts';
import { studyPage } from './page-bundle.ts';
import { studyDocument } from './report.ts';
import { studyResults } from './results.ts';
import { StudyService, type StudyServiceOptions } from './service.ts';

export interface StudyAppOptions extends StudyServiceOptions {
  /**
   * Guards the results routes (the server passes its bearer-token middleware); without one, results are
   * refused to everyone. Participants never need it.
   */
  resultsGuard?: MiddlewareHandler;
  /** Joins (each costs LLM calls) allowed per hour per client address and per study (default 20 and 500). */
  joins?: { perClient: number; perStudy: number };
  /** The client's address, the key of the per-client join limit (the server passes the socket's peer). */
  clientOf?: (c: Context) => string;
  /** Browser origins besides the page's own that may post answers and choices (the server's --cors list). */
  origins?: readonly string[];
}

const StudyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const ParticipantId = z.string().regex(/^p_[0-9a-f]{24}$/);
const ImageRef = z.string().regex(/^img_[0-9a-f]{32}$/);
const JoinBody = z.strictObject({ answers: z.record(z.string(), z.unknown()) });
const ChoiceBody = z.strictObject({ choice: z.enum(['left', 'right'], { error: 'choice must be "left" or "right"' }) });

/**
 * The A/B study as a Hono sub-app, to mount at /study: the participant page and its API (public: a
 * participant has no token, only the unguessable id they get on joining), each participant's images by
 * per-trial opaque ids, and the results (JSON, Markdown, HTML) behind `authorize`. Posts must be JSON from
 * the page's own origin; joins are rate-limited per client and per study. Errors are the API's
 * `{error: {code, message, field?}}`.
 *
 *   GET  /:study                          participant page          GET /assets/study.js   its script
 *   GET  /:study/api/form                 title, intro, questionnaire, number of trials
 *   POST /:study/api/participants         {answers} → {participant, trials}   (the LLM writes the persona)
 *   GET  /:study/api/participants/:id/next         → {trial, position, total, prompt, left, right} | {done: true}
 *   POST /:study/api/participants/:id/trials/:n    {choice: "left"|"right"}
 *   GET  /:study/api/participants/:id/images/:ref  one of the participant's trial images (opaque id)
 *   GET  /:study/results[.md|.html]       win rates + p-values (authorized)
 */
export function createStudyApp(options: StudyAppOptions): { app: Hono; service: StudyService; close(): void } {
  const service = new StudyService(options);
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new ApiError(413, 'payload_too_large', 'the body is over 64 KB; send only the answers'); } }));

  const study = async (c: Context): Promise<StudyConfig> => {
    const id = StudyId.safeParse(c.req.param('study'));
    if (!id.success) throw new ApiError(404, 'not_found', 'no such study: study ids are lower-case letters, digits and dashes');
    // A missing config is a NotFoundError (404); an invalid one the operator's ConfigError (503).
    return service.config(id.data);
  };
  const participantOf = (c: Context, config: StudyConfig) => {
    const id = ParticipantId.safeParse(c.req.param('participant'));
    const p = id.success ? service.participant(config, id.data) : undefined;
    if (!p) throw new ApiError(404, 'not_found', 'no such participant in this study: start again from the study page');
    return p;
  };
  const origins = new Set(options.origins ?? []);
  /**
   * A state-changing request from a browser must come from the study page itself: a browser sends Origin
   * on every cross-origin POST (and on same-origin ones), so another site's page cannot post answers or
   * choices in a participant's name. Clients without Origin (curl, scripts) are not browsers.
   */
  const sameOrigin = (c: Context) => {
    const origin = c.req.header('origin');
    if (origin === undefined || origins.has(origin)) return;
    // Same host and port as the request's Host header: the scheme may differ behind a TLS proxy.
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host && host === c.req.header('host')?.toLowerCase()) return;
    throw new ApiError(403, 'forbidden_origin', `posts to the study come from its own page; ${origin.slice(0, 100)} is another origin`);
  };
  const body = async <S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> => {
    sameOrigin(c);
    const raw = await readJson(c);
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

  app.get('/assets/study.js', async (c) => c.body((await studyPage()).js, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }));
  app.get('/assets/study.css', async (c) => c.body((await studyPage()).css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }));

  app.get('/:study/api/form', async (c) => {
    const s = await study(c);
    const trials = s.conditions.reduce((n, x) => n + x.trials, 0);
    return c.json({ id: s.id, title: s.title, intro: s.intro, questionnaire: QUESTIONNAIRE, trials });
  });

  // Each join has the LLM write a persona: a token bucket per client address and one per study, refilled
  // over an hour, so neither one visitor nor a crowd can run up the LLM bill without limit.
  const perHour = (n: number) => new TokenBuckets(n / 3600, n);
  const joinsByClient = perHour(options.joins?.perClient ?? 20);
  const joinsByStudy = perHour(options.joins?.perStudy ?? 500);
  const tooMany = (why: string, wait: number) =>
    new ApiError(429, 'rate_limited', `${why}; retry after ${wait} s`, undefined, { 'Retry-After': String(wait) });

  app.post('/:study/api/participants', async (c) => {
    const s = await study(c);
    const { answers } = await body(c, JoinBody);
    try {
      parseQuestionnaireAnswers(answers); // a bad answer is a 400 and costs no join
    } catch (err) {
      // The answers sit under "answers" in this body: the field path says so.
      if (err instanceof QuestionnaireError) throw new ApiError(400, 'invalid_request', err.message, err.field ? `answers.${err.field}` : 'answers');
      throw err;
    }
    const client = options.clientOf?.(c) ?? 'unknown';
    const clientWait = joinsByClient.take(client);
    if (clientWait > 0) throw tooMany(`too many joins from this address (${joinsByClient.burst} an hour)`, clientWait);
    const studyWait = joinsByStudy.take(s.id);
    if (studyWait > 0) throw tooMany(`too many joins to study ${s.id} (${joinsByStudy.burst} an hour)`, studyWait);
    return c.json(await service.join(s, answers, c.req.raw.signal), 201);
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

  app.get('/:study/api/participants/:participant/images/:ref', async (c) => {
    const s = await study(c);
    const p = participantOf(c, s);
    const ref = ImageRef.safeParse(c.req.param('ref'));
    const image = ref.success ? await service.image(p, ref.data) : undefined;
    if (!image) throw new ApiError(404, 'not_found', 'no such image for this participant');
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
    return c.html(renderHtml(await studyDocument(studyResults(service.db, s.id))), 200, { 'Content-Security-Policy': DOCUMENT_CSP });
  });

  app.get('/:study', async (c) => {
    const s = await study(c);
    // Absolute, so the page works wherever the sub-app is mounted: /study/pilot → /study/assets/study.js.
    return c.html(pageHtml(s, `${c.req.path.replace(/\/+$/, '').replace(/\/[^/]*$/, '')}/assets`));
  });

  app.onError((err, c) => {
    const api = toApiError(err);
    if (api.code === 'internal') options.onError?.('study request failed', err);
    return c.json(api.body(), api.status, api.headers);
  });
  return { app, service, close: () => service.close() };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The page shell; the script (page/main.ts, bundled) renders the questionnaire and the trials into #app.
 * No inline script or style: the page runs under the server's CSP (script and style from this origin only).
 */
function pageHtml(s: StudyConfig, assets: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(s.title)}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="${escape(assets)}/study.css">
</head>
<body><main id="app" data-study="${escape(s.id)}"><h1>${escape(s.title)}</h1><p>Loading…</p></main>
<script type="module" src="${escape(assets)}/study.js"></script>
</body></html>
`;
}

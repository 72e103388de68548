import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env.ts';
import { errorResponse } from './error-handler.ts';
import { ApiError } from '../http/errors.ts';
import { accessLog } from './middleware/access-log.ts';
import { bearerAuth } from './middleware/auth.ts';
import { jsonBodyLimit } from './middleware/body-limit.ts';
import { deadline } from './middleware/deadline.ts';
import { hostCheck } from './middleware/host-check.ts';
import { idempotency } from './middleware/idempotency.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { securityHeaders } from '../http/security-headers.ts';
import { apiDocument, methodsOn } from './api-document.ts';
import { createApiApp, type ApiApp } from './api-route.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { encoderRoutes } from './routes/encoder.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { benchRoutes } from './routes/bench.ts';
import { mountStudy } from './routes/study.ts';
import { personaRoutes } from './routes/personas.ts';
import { rewriteRoutes } from './routes/rewrite.ts';
import { uploadRoutes, UPLOAD_PATH } from './routes/uploads.ts';
import type { AppServices } from './services.ts';

/** Routes that answer without a token. */
const PUBLIC = new Set(['/v1/health']);

/**
 * Builds the whole HTTP surface on the given services: middleware (request id, access log, CORS, bearer
 * auth, per-token rate limit, body limit, deadline, idempotency), the /v1 API, /openapi.json and the
 * dashboard. No I/O happens here; startServer owns listening and shutdown.
 */
export function createApp(services: AppServices): { app: ApiApp } {
  const { config, log } = services;
  const app = createApiApp();

  app.use('*', requestId());
  app.use('*', accessLog(log, config.accessLog));
  app.use('*', securityHeaders());
  app.use('*', hostCheck(config.host, config.allowedHosts));
  if (config.corsOrigins.length) {
    const allowed = new Set(config.corsOrigins);
    app.use(
      '/v1/*',
      cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
        exposeHeaders: ['Retry-After', 'X-Request-Id', 'Idempotent-Replayed'],
        maxAge: 600,
      }),
    );
  }
  // One app.use per middleware, in this order (hono/combine's `every` would build a composed chain anew
  // on every request). Public routes skip the token checks; uploads stream to disk under their own size
  // limit and may take longer than the JSON deadline. A rate limit of 0 (off) adds no middleware.
  const guarded = (skip: (path: string) => boolean, middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) =>
    skip(c.req.path) ? next() : middleware(c, next);
  const isPublic = (path: string) => PUBLIC.has(path);
  const isPublicOrUpload = (path: string) => PUBLIC.has(path) || path === UPLOAD_PATH;
  app.use('/v1/*', guarded(isPublic, bearerAuth(services.tokens)));
  if (config.rateLimit > 0) app.use('/v1/*', guarded(isPublic, rateLimit({ perSecond: config.rateLimit, burst: config.rateBurst })));
  // The deadline comes first so that it also bounds reading the body: a chunked body that stalls gets 504.
  app.use('/v1/*', guarded(isPublicOrUpload, deadline(config.requestTimeoutMs)));
  app.use('/v1/*', guarded(isPublicOrUpload, jsonBodyLimit(config.maxBodyBytes)));
  app.use('/v1/*', guarded(isPublicOrUpload, idempotency(services.db)));

  healthRoutes(app, services);
  rewriteRoutes(app, services);
  personaRoutes(app, services);
  encoderRoutes(app, services);
  uploadRoutes(app, services);
  jobRoutes(app, services);
  benchRoutes(app, services);
  mountStudy(app, services);

  const document = () =>
    apiDocument(app, {
      title: 'ZIPP server API',
      version: services.version,
      description:
        'Persona-based prompt personalization: rewriting, persona inference and verbalization, encoder training, durable jobs. ' +
        'Every /v1 route but /v1/health needs "Authorization: Bearer <token>". Errors are {error: {code, message, field?}}.',
    });
  let cached: ReturnType<typeof document> | undefined;
  app.get('/openapi.json', (c) => c.json((cached ??= document())));

  if (services.dashboard) dashboardRoutes(app);

  app.notFound((c) => {
    const allow = methodsOn(app, c.req.path);
    if (allow.length) {
      return errorResponse(
        new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(' or ')}`, undefined, { Allow: allow.join(', ') }),
        c,
        log,
      );
    }
    return errorResponse(new ApiError(404, 'not_found', `no route ${c.req.method} ${c.req.path}; see /openapi.json for the API`), c, log);
  });
  app.onError((err, c) => errorResponse(err, c, log));
  return { app };
}

import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { validationError } from '../http/errors.ts';
import { readJson } from '../http/read-json.ts';
import type { AppEnv } from './env.ts';

/**
 * The server's routes are @hono/zod-openapi routes: one `createRoute` config per route is both what
 * validates the request (params, query, JSON body, before the handler runs) and what /openapi.json says
 * (api-document.ts). This file holds what every ZIPP route adds to that config.
 */
export type ApiApp = OpenAPIHono<AppEnv>;

/** Where a failed validation was, in the words of the error line ("unknown field in the body"). */
const WHERE: Record<string, string> = { json: 'body', query: 'query', param: 'path' };

/** The app every route is registered on: a failed validation becomes the 400 naming the field (http/errors.ts). */
export function createApiApp(): ApiApp {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error as z.ZodError, WHERE[result.target] ?? result.target);
    },
  });
}

/**
 * Reads a JSON body with the server's own rules before the library's validator sees it: 415 for another
 * content type, 400 `invalid_json` for an empty, malformed or non-UTF-8 body, 400 for a lone surrogate
 * (http/read-json.ts). The validator then parses the same cached bytes.
 */
const jsonBodyFirst: MiddlewareHandler<AppEnv> = async (c, next) => {
  await readJson(c);
  await next();
};

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 200 },
  description: 'replays the stored answer for a retried request instead of running it twice',
} as const;

/** The error responses (components in api-document.ts) every route may answer besides its own. */
const errorResponses = (isPublic: boolean, hasBody: boolean) =>
  Object.fromEntries(
    ['400', '500', ...(isPublic ? [] : ['401', '429']), ...(hasBody ? ['413', '415'] : [])].map((s) => [s, { $ref: `#/components/responses/Error${s}` }]),
  );

const operationId = (method: string, path: string) =>
  `${method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`;

/**
 * A route config with what every ZIPP route has: an operationId, the shared error responses, the
 * Idempotency-Key header on JSON POSTs, and the JSON reader above. `security: []` marks a public route.
 */
export function apiRoute<const R extends RouteConfig>(route: R): R {
  const json = route.request?.body?.content['application/json'];
  const isPublic = Array.isArray(route.security) && route.security.length === 0;
  return createRoute({
    operationId: operationId(route.method, route.path),
    ...route,
    ...(json ? { middleware: [jsonBodyFirst] } : {}),
    ...(json && route.method === 'post' ? { parameters: [IDEMPOTENCY_KEY, ...(route.parameters ?? [])] } : {}),
    responses: { ...errorResponses(isPublic, Boolean(json)), ...route.responses },
  }) as R;
}

/** A required JSON request body. */
export const jsonBody = <S extends z.ZodType>(schema: S) => ({ required: true, content: { 'application/json': { schema } } }) as const;

/** A JSON response. */
export const jsonResponse = <S extends z.ZodType>(description: string, schema: S) => ({ description, content: { 'application/json': { schema } } }) as const;

/** A response that is not JSON (a file, an event stream): documented by its type only. */
export const otherResponse = (description: string, contentType: string) =>
  ({ description, content: { [contentType]: { schema: { type: 'string' as const, ...(contentType.startsWith('text/') ? {} : { format: 'binary' }) } } } }) as const;

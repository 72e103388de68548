import { z } from 'zod';
import { ErrorBody } from '../../shared/api/error-body.ts';
import { ERROR_CODES } from '../http/errors.ts';
import type { ApiApp } from './api-route.ts';

/**
 * /openapi.json: the OpenAPI 3.1 document @hono/zod-openapi generates from the routes' own configs, with
 * what every route shares registered once as components — the bearer scheme, the error body, and one
 * response per error status listing its codes (the routes point at them: api-route.ts).
 */
export function apiDocument(app: ApiApp, info: { title: string; version: string; description: string }) {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'the token in <data dir>/token, or --token / ZIPP_TOKEN',
  });
  // zod's own JSON Schema of the error body: the registry's register() needs the zod instance that
  // zod-to-openapi's CommonJS build loads, not the ESM one the project's schemas are made with.
  const { $schema: _, ...errorSchema } = z.toJSONSchema(ErrorBody) as Record<string, unknown>;
  registry.registerComponent('schemas', 'Error', errorSchema);
  const statuses = [...new Set(Object.values(ERROR_CODES).map((e) => String(e.status)))];
  for (const s of statuses) {
    registry.registerComponent('responses', `Error${s}`, {
      description: Object.entries(ERROR_CODES)
        .filter(([, e]) => String(e.status) === s)
        .map(([code, e]) => `\`${code}\`: ${e.meaning}`)
        .join('; '),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  }
  return app.getOpenAPI31Document({ openapi: '3.1.0', info, servers: [{ url: '/' }], security: [{ bearer: [] }] });
}

/** The methods the API has on a path ('/v1/jobs/job_…' → GET, DELETE), for a 405's Allow header. */
export function methodsOn(app: ApiApp, path: string): string[] {
  return app.openAPIRegistry.definitions.flatMap((d) =>
    d.type === 'route' && new RegExp(`^${d.route.path.replace(/\{[A-Za-z_]+\}/g, '[^/]+')}$`).test(path) ? [d.route.method.toUpperCase()] : [],
  );
}

import { z } from 'zod';
import { ErrorBody } from '../../shared/api/error-body.ts';
import { ERROR_CODES } from '../http/errors.ts';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** What the OpenAPI document says about one route. The same schemas validate the requests at run time. */
export interface RouteDoc {
  method: Method;
  /** Hono style, e.g. /v1/jobs/:id (written as /v1/jobs/{id} in the document). */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** false for the few public routes (health). */
  auth?: boolean;
  body?: z.ZodType;
  /** A raw (non-JSON) request body, e.g. an upload. */
  rawBody?: { contentType: string; description: string };
  query?: z.ZodObject;
  params?: z.ZodObject;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** Collects route descriptions and renders them as an OpenAPI 3.1 document (JSON Schema 2020-12 bodies). */
export class ApiDocs {
  private readonly routes: RouteDoc[] = [];

  add(route: RouteDoc): void {
    this.routes.push(route);
  }

  list(): readonly RouteDoc[] {
    return this.routes;
  }

  document(info: { title: string; version: string; description: string }) {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const p = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const parameters = [
        ...paramList(r.params, 'path'),
        ...paramList(r.query, 'query'),
        ...(r.method === 'post' && r.body ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'replays the stored answer for a retried request instead of running it twice' }] : []),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, res] of Object.entries(r.responses)) {
        responses[status] = {
          description: res.description,
          ...(res.schema || res.contentType
            ? { content: { [res.contentType ?? 'application/json']: res.schema ? { schema: jsonSchema(res.schema, 'output') } : {} } }
            : {}),
        };
      }
      const errorStatuses = new Set(['400', '500', ...(r.auth === false ? [] : ['401', '429']), ...(r.body ? ['413', '415'] : [])]);
      for (const s of errorStatuses) responses[s] ??= { $ref: `#/components/responses/Error${s}` };
      (paths[p] ??= {})[r.method] = {
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: [r.tag],
        operationId: `${r.method}${p.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
        ...(r.auth === false ? { security: [] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(r.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } }
          : r.rawBody
            ? { requestBody: { required: true, description: r.rawBody.description, content: { [r.rawBody.contentType]: { schema: { type: 'string', format: 'binary' } } } } }
            : {}),
        responses,
      };
    }
    const errorSchema = jsonSchema(ErrorBody, 'output');
    const statuses = [...new Set(Object.values(ERROR_CODES).map((e) => String(e.status)))];
    return {
      openapi: '3.1.0',
      info: { ...info },
      servers: [{ url: '/' }],
      security: [{ bearer: [] }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the token in <data dir>/token, or --token / ZIPP_TOKEN' } },
        schemas: { Error: errorSchema },
        responses: Object.fromEntries(
          statuses.map((s) => [
            `Error${s}`,
            {
              description: Object.entries(ERROR_CODES)
                .filter(([, e]) => String(e.status) === s)
                .map(([code, e]) => `\`${code}\`: ${e.meaning}`)
                .join('; '),
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
      paths,
    };
  }
}

function paramList(schema: z.ZodObject | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './env.ts';
import { validationError } from '../http/errors.ts';
import { readJson } from '../http/read-json.ts';
import type { ApiDocs, RouteDoc } from './openapi.ts';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<B, Q, P> extends Omit<RouteDoc, 'body' | 'query' | 'params'> {
  body?: B;
  query?: Q;
  params?: P;
}

export type RouteHandler<B, Q, P> = (
  c: Context<AppEnv>,
  input: { body: Out<B>; query: Out<Q>; params: Out<P> },
) => Response | Promise<Response>;

/**
 * Registers a route and its OpenAPI description from one spec, so what is documented is what is
 * validated: the body, query and path parameters are parsed with the spec's zod schemas before the
 * handler runs, and the first problem becomes a 400 naming the field.
 */
export function defineRoute<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  P extends z.ZodObject | undefined = undefined,
>(app: Hono<AppEnv>, docs: ApiDocs, spec: RouteSpec<B, Q, P>, handler: RouteHandler<B, Q, P>): void {
  docs.add(spec as RouteDoc);
  app.on(spec.method.toUpperCase(), spec.path, async (c) => {
    const params = spec.params ? parse(spec.params, c.req.param(), 'path') : undefined;
    const query = spec.query ? parse(spec.query, c.req.query(), 'query') : undefined;
    const body = spec.body ? parse(spec.body, await readJson(c), 'body') : undefined;
    return handler(c, { body, query, params } as { body: Out<B>; query: Out<Q>; params: Out<P> });
  });
}

function parse(schema: z.ZodType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

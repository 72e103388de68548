import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';

/**
 * The plumbing the image-engine test servers (ComfyUI, AUTOMATIC1111, OpenAI Images) share: a Hono app on
 * 127.0.0.1 with a random port, a log of every request, a FIFO of scripted behaviours per route, and
 * tools to fail the way real servers do (an HTTP error, a dropped connection, a request that never
 * answers). Each server adds its own routes and behaviours on top.
 */
export interface RecordedRequest {
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** Behaviours every server understands; servers extend the union with their own kinds. */
export type CommonBehaviour =
  | { kind: 'default' } // the normal answer (use with delayMs to slow one request down)
  | { kind: 'error'; status: number; body?: unknown }
  | { kind: 'drop-connection' }
  | { kind: 'hang' };

export interface Scripted {
  /** The route this behaviour applies to (each server names its routes). */
  route: string;
  /** Wait before answering. */
  delayMs?: number;
}

export interface Tools<B extends Scripted> {
  /** Logs the request and returns its parsed JSON body (or raw text) and the next behaviour for the route. */
  enter(c: Context, route: string): Promise<{ body: unknown; behaviour: B | undefined }>;
  /** Answers a common behaviour (error / drop / hang), or returns undefined for the server to handle. */
  common(c: Context, behaviour: B | undefined): Promise<Response | undefined>;
}

export interface TestServer<B extends Scripted> {
  /** Base URL, http://127.0.0.1:PORT */
  url: string;
  requests: RecordedRequest[];
  /** Queues behaviours; each is used by the next request on its route. */
  enqueue(...behaviours: B[]): void;
  pending(): B[];
  /** Requests seen on one route. */
  count(route: string): number;
  close(): Promise<void>;
}

/** A test server's view of a request body: parsed JSON when it parses, else the raw text (POST only). */
export async function requestBody(c: Context): Promise<unknown> {
  if (c.req.method !== 'POST') return undefined;
  const raw = await c.req.text();
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export async function startTestServer<B extends Scripted>(routes: (app: Hono, tools: Tools<B>) => void): Promise<TestServer<B>> {
  const requests: RecordedRequest[] = [];
  let queue: B[] = [];
  const hanging = new Set<() => void>();
  const sockets = new Set<Socket>();
  const app = new Hono();

  const tools: Tools<B> = {
    async enter(c, route) {
      const body = await requestBody(c);
      requests.push({ route, method: c.req.method, path: new URL(c.req.url).pathname, query: c.req.query(), body });
      const i = queue.findIndex((b) => b.route === route);
      const behaviour = i < 0 ? undefined : queue.splice(i, 1)[0];
      if (behaviour?.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      return { body, behaviour };
    },
    async common(c, behaviour) {
      const b = behaviour as (CommonBehaviour & Scripted) | undefined;
      if (b?.kind === 'error') return c.json((b.body ?? { error: `scripted HTTP ${b.status}` }) as object, b.status as 500);
      if (b?.kind === 'drop-connection') {
        (c.env as { incoming?: { socket?: Socket } }).incoming?.socket?.destroy();
        return new Response(null);
      }
      if (b?.kind === 'hang') {
        await new Promise<void>((resolve) => hanging.add(resolve));
        return c.text('closed', 503);
      }
      return undefined;
    },
  };
  routes(app, tools);

  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...b) => void queue.push(...b),
    pending: () => [...queue],
    count: (route) => requests.filter((r) => r.route === route).length,
    close: async () => {
      for (const release of hanging) release();
      queue = [];
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

/**
 * The built dashboard at /. Vite names assets by content hash, so they may be cached for good; the page
 * itself is revalidated so a rebuilt dashboard shows up on the next load. Static files hold no data, so
 * they need no token: the page asks for one and sends it on its API calls.
 */
export function dashboardRoutes(app: Hono<AppEnv>, dir: string): void {
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use('/assets/*', serveStatic({ root: dir }));
  app.get('/', serveStatic({ root: dir, path: 'index.html', onFound: (_p, c) => void c.header('Cache-Control', 'no-cache') }));
  app.get('/favicon.svg', serveStatic({ root: dir }));
}

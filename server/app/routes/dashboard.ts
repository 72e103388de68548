import type { Hono } from 'hono';
import { dashboardHtml, dashboardPage } from '../../dashboard/page.ts';
import type { AppEnv } from '../env.ts';

/**
 * The dashboard at /, bundled on the first request (server/dashboard/page.ts). Asset names carry the
 * bundle's hash, so they may be cached for good; the page itself is revalidated. Static code holds no
 * data, so it needs no token: the page asks for one and sends it on its API calls.
 */
export function dashboardRoutes(app: Hono<AppEnv>): void {
  app.get('/', async (c) => c.html(dashboardHtml(await dashboardPage()), 200, { 'Cache-Control': 'no-cache' }));
  app.get('/assets/:file{dashboard-[0-9a-f]{12}\\.(js|css)}', async (c) => {
    const bundle = await dashboardPage();
    const file = c.req.param('file');
    if (!file.startsWith(`dashboard-${bundle.hash}.`)) return c.notFound();
    const js = file.endsWith('.js');
    return c.body(js ? bundle.js : bundle.css, 200, {
      'Content-Type': js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
}

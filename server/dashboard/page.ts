import { fileURLToPath } from 'node:url';
import { pageBundler, type PageBundle } from '../runtime/page-bundle.ts';

/**
 * The React dashboard, bundled on first request by the server's one page bundler
 * (server/runtime/page-bundle.ts) — the same way as the study page: nothing to build ahead of time.
 */
export const dashboardPage = pageBundler(fileURLToPath(new URL('./src/main.tsx', import.meta.url)));

/** The page shell: no inline script or style (the CSP allows none); asset names carry the bundle's hash. */
export function dashboardHtml(bundle: PageBundle): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <link rel="icon" href="data:," />
    <title>ZIPP server</title>
    <link rel="stylesheet" href="/assets/dashboard-${bundle.hash}.css" />
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/assets/dashboard-${bundle.hash}.js"></script>
  </body>
</html>
`;
}

import type { MiddlewareHandler } from 'hono';

/**
 * The Content-Security-Policy of the server's own pages (the dashboard, the study page): scripts, styles,
 * images and fetches from this origin only, no inline script, no plugins, never framed. The dashboard
 * keeps the API token in local storage, so a script that got in could read it: none can.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Self-contained documents (benchmark reports, study results): no script at all, their inline styles and
 * inline (data:) images only, nothing fetched.
 */
export const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Anything else (JSON, scripts, images): nothing may load from it, nor frame it. */
const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers on every response: never framed (clickjacking), never sniffed into another type, no Referer
 * leaking a URL (the dashboard link carries the token in its fragment, study URLs carry participant ids).
 * Routes that serve a page set its CSP; HTML without one gets PAGE_CSP, everything else DEFAULT_CSP.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', (h.get('content-type') ?? '').startsWith('text/html') ? PAGE_CSP : DEFAULT_CSP);
  };
}

import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { bearerAuth } from '../middleware/auth.ts';
import type { AppServices } from '../services.ts';
import { createStudyApp } from '../../study/app.ts';

/**
 * Mounts the A/B study at /study on the server: participant pages are public, results need the server's
 * bearer token, studies are read from `<data dir>/studies/<id>.json` and recorded in `<data dir>/study.db`.
 * Joins are limited per client (the socket's peer address) and per study, per hour.
 */
export function mountStudy(app: Hono<AppEnv>, s: AppServices): void {
  const study = createStudyApp({
    dataDir: s.dataDir,
    llm: () => s.llm.client(),
    resultsGuard: bearerAuth(s.tokens),
    joins: { perClient: s.config.studyJoinsPerClient, perStudy: s.config.studyJoinsPerStudy },
    clientOf: (c) => getConnInfo(c).remote.address ?? 'unknown',
    origins: s.config.corsOrigins,
    onError: (message, error) => s.log.warn(message, { error: error instanceof Error ? error.message : String(error) }),
  });
  app.route('/study', study.app);
  s.shutdown.addEventListener('abort', () => study.close(), { once: true });
}

import { fileURLToPath } from 'node:url';
import { pageBundler } from '../runtime/page-bundle.ts';

/**
 * The participant page's script and style sheet (page/main.ts imports page/study.css), bundled on first
 * request by the server's one page bundler (server/runtime/page-bundle.ts). Files, not inline code: the
 * page's CSP allows no inline script or style.
 */
export const studyPage = pageBundler(fileURLToPath(new URL('./page/main.ts', import.meta.url)));

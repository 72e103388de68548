import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file): default locations of the shipped model and dashboard. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_ENCODER_DIR = path.join(PACKAGE_ROOT, 'models', 'zipp-encoder');
/** The vendored Reddit community descriptions (names, titles, categories, NSFW flags). */
export const VENDORED_COMMUNITY_DESCRIPTIONS = path.join(PACKAGE_ROOT, 'models', 'data', 'reddit', 'communities.jsonl');

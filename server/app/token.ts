import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../shared/errors.ts';

export type TokenSource = 'flag' | 'env' | 'file' | 'generated';

export const TOKEN_FILE = 'token';

/**
 * The bearer token every route but /v1/health requires. `--token` wins, then ZIPP_TOKEN, then the token
 * file in the data directory; on first start a random one is generated there with 0600 permissions so only
 * the user who runs the server can read it.
 */
export function resolveToken(dataDir: string, flag?: string, env?: string): { token: string; source: TokenSource; file: string } {
  const file = path.join(dataDir, TOKEN_FILE);
  if (flag) return { token: checkToken(flag, '--token'), source: 'flag', file };
  if (env) return { token: checkToken(env, 'ZIPP_TOKEN'), source: 'env', file };
  if (existsSync(file)) {
    // Tighten permissions a user (or a copy) may have loosened.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { token: checkToken(readFileSync(file, 'utf8').trim(), file), source: 'file', file };
  }
  const token = `zipp_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, source: 'generated', file };
}

function checkToken(token: string, where: string): string {
  if (token.length < 16 || /\s/.test(token)) {
    throw new InputError(`${where}: the token must be at least 16 characters with no spaces (or omit it to generate one)`);
  }
  return token;
}

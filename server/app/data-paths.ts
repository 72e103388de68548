import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from './errors.ts';

/**
 * Resolves a client-given path against the data directory and refuses anything that would land outside
 * it: absolute paths, `..` climbs, NUL bytes, and symbolic links inside the directory that point out.
 */
export function resolveInside(root: string, given: string, field: string): string {
  const refuse = (why: string) =>
    new ApiError(400, 'path_outside_data_dir', `${field}: ${why}; give a path relative to the server's data directory`, field);
  if (given.includes('\0')) throw refuse('the path contains a NUL byte');
  if (path.isAbsolute(given) || /^[a-zA-Z]:[\\/]/.test(given) || given.startsWith('\\')) throw refuse('absolute paths are not accepted');
  const rootReal = realpathSync(root);
  const target = path.resolve(rootReal, given);
  if (!isWithin(rootReal, target)) throw refuse('the path leaves the data directory');
  if (existsSync(target) && !isWithin(rootReal, realpathSync(target))) throw refuse('the path is a link that leaves the data directory');
  return target;
}

export function isWithin(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

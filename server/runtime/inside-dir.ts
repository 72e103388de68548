import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../shared/errors.ts';

/**
 * Resolves a client-given path against the data directory (HTTP routes, the bench job's dataset files) and refuses anything that would land outside
 * it: absolute paths, `..` climbs, NUL bytes, and symbolic links. Every component that exists is checked,
 * down to the deepest one (a path whose last parts do not exist yet, such as a cache folder to create, is
 * checked up to its deepest existing ancestor); a link is refused wherever it points, since no feature
 * needs one and a link inside the directory that leads out would otherwise turn "inside" into "anywhere".
 */
export function resolveInside(root: string, given: string, field: string): string {
  const refuse = (why: string) =>
    new InputError(`${field}: ${why}; give a path relative to the server's data directory`, { field, code: 'path_outside_data_dir' });
  if (given.includes('\0')) throw refuse('the path contains a NUL byte');
  if (path.isAbsolute(given) || /^[a-zA-Z]:[\\/]/.test(given) || given.startsWith('\\')) throw refuse('absolute paths are not accepted');
  const rootReal = realpathSync(root);
  const target = path.resolve(rootReal, given);
  if (!isWithin(rootReal, target)) throw refuse('the path leaves the data directory');
  let at = rootReal;
  for (const part of path.relative(rootReal, target).split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    let stat;
    try {
      stat = lstatSync(at);
    } catch {
      break; // this part and the rest do not exist yet: nothing below can be a link
    }
    if (stat.isSymbolicLink()) throw refuse(`${path.relative(rootReal, at)} is a symbolic link (links are not followed)`);
  }
  return target;
}

/** Whether `target` is `root` or below it (both resolved paths). */
export function isWithin(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

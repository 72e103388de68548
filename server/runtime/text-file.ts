import { readFileSync } from 'node:fs';
import { InputError } from '../../shared/errors.ts';

/**
 * A UTF-8 text file the user named (a communities.jsonl, a descriptions file): its text, or an InputError
 * that names the file and the fix — missing, a folder, unreadable, binary, not UTF-8. Decoding is strict,
 * so bytes that are not text never reach a parser as replacement characters.
 */
export function readUtf8File(file: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a folder, expected a file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new InputError(`${file}: ${why}; check the path`);
  }
  if (bytes.includes(0)) throw new InputError(`${file}: binary data, not text; give a UTF-8 text file`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new InputError(`${file}: not UTF-8 text; save it as UTF-8 (e.g. iconv -t UTF-8)`);
  }
}

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InputError } from '../../../shared/errors.ts';

/**
 * Looks at the first bytes of an input file before DuckDB reads it, so that the common wrong files get
 * one line naming the file, the problem and the fix instead of the reader's internals ("CSV Sniffer: …",
 * "IO Error: Unknown frame descriptor"): an empty file, a `.zst` / `.gz` name on a file that is not
 * compressed that way, UTF-16 text, binary data, text that is not UTF-8.
 */
export type TextFormat = 'csv' | 'json';

const HEAD_BYTES = 64 * 1024;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const GZIP_MAGIC = [0x1f, 0x8b];

const EXPECTED: Record<TextFormat, string> = {
  csv: 'a CSV with a header line such as user,community,posts,comments and one row per user and community',
  json: 'one JSON object per line, such as {"user": "u1", "community": "analog", "comments": 3}',
};

function head(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = new Uint8Array(Math.min(HEAD_BYTES, statSync(file).size));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** Throws an InputError when `file` cannot be the `format` it is named as; returns quietly otherwise. */
export function checkTextInput(file: string, format: TextFormat): void {
  const bytes = head(file);
  const expected = EXPECTED[format];
  if (bytes.length === 0) throw new InputError(`${file}: the file is empty; give ${expected}`);
  const lower = file.toLowerCase();
  if (/\.(zst|zstd)$/.test(lower)) {
    if (!startsWith(bytes, ZSTD_MAGIC)) {
      throw new InputError(`${file}: not zstd-compressed (no zstd frame header); if it is plain text, drop the .zst from its name, else recompress it with zstd`);
    }
    return; // DuckDB decompresses; the text inside is checked as it is read
  }
  if (lower.endsWith('.gz')) {
    if (!startsWith(bytes, GZIP_MAGIC)) throw new InputError(`${file}: not gzip-compressed; if it is plain text, drop the .gz from its name, else recompress it with gzip`);
    return;
  }
  if (startsWith(bytes, ZSTD_MAGIC) || startsWith(bytes, GZIP_MAGIC)) {
    const ext = startsWith(bytes, ZSTD_MAGIC) ? '.zst' : '.gz';
    throw new InputError(`${file}: the file is ${ext === '.zst' ? 'zstd' : 'gzip'}-compressed but its name does not say so; rename it to end in ${ext}`);
  }
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]) || looksUtf16(bytes)) {
    throw new InputError(`${file}: the file is UTF-16 text; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 ${file} > converted${format === 'csv' ? '.csv' : '.jsonl'})`);
  }
  if (bytes.includes(0)) throw new InputError(`${file}: the file holds binary data, not text; give ${expected}`);
  try {
    // A multi-byte character cut at the end of the sample is not an error: decode with stream semantics.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: bytes.length === HEAD_BYTES });
  } catch {
    throw new InputError(`${file}: the file is not UTF-8 text; save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)`);
  }
  if (new TextDecoder().decode(bytes).trim() === '') throw new InputError(`${file}: the file has only blank lines; give ${expected}`);
}

/** UTF-16 without a byte-order mark: ASCII text with every other byte zero. */
function looksUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 200) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  return Math.max(even, odd) > 0.4 * (n / 2) && Math.min(even, odd) === 0;
}

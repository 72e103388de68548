import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { InputError } from '../../shared/errors.ts';

/** Reads a UTF-8 text file, turning "no such file" into a one-line InputError naming it. */
export async function readText(path: string, label = path): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${label}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
  }
}

/**
 * Parses CSV (or TSV with `delimiter: '\t'`) with a header row into records keyed by column name,
 * via csv-parse: quoted fields, embedded newlines, CRLF and a UTF-8 BOM are handled.
 */
export function parseTable(text: string, label: string, options: { delimiter?: string; quote?: boolean } = {}): Record<string, string>[] {
  try {
    return parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      skip_empty_lines: true,
      bom: true,
      trim: true,
      delimiter: options.delimiter ?? ',',
      quote: options.quote === false ? null : '"',
      relax_column_count: false,
    }) as Record<string, string>[];
  } catch (err) {
    throw new InputError(`${label}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Fails with the list of what is missing when a table lacks required columns. */
export function requireColumns(rows: Record<string, string>[], columns: string[], label: string): void {
  if (rows.length === 0) throw new InputError(`${label} has no data rows`);
  const missing = columns.filter((c) => !(c in rows[0]!));
  if (missing.length) {
    throw new InputError(`${label} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (has: ${Object.keys(rows[0]!).join(', ')})`);
  }
}

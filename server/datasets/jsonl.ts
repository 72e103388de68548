import { z } from 'zod';
import { InputError } from '../../shared/errors.ts';

/**
 * Records from a JSON-lines file (one object per line; blank lines skipped) or, when the text starts
 * with '[', a JSON array, each validated with the schema. Errors name the file, the line and the field.
 */
export function parseRecords<S extends z.ZodType>(text: string, schema: S, label: string): z.output<S>[] {
  const trimmed = text.trimStart();
  const entries: [number, unknown][] = [];
  if (trimmed.startsWith('[')) {
    let array: unknown;
    try {
      array = JSON.parse(trimmed);
    } catch (err) {
      throw new InputError(`${label} is not valid JSON: ${(err as Error).message}`);
    }
    (array as unknown[]).forEach((v, i) => entries.push([i + 1, v]));
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      try {
        entries.push([i + 1, JSON.parse(line)]);
      } catch {
        throw new InputError(`${label} line ${i + 1} is not valid JSON`);
      }
    });
  }
  const where = trimmed.startsWith('[') ? 'record' : 'line';
  return entries.map(([n, value]) => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new InputError(`${label} ${where} ${n}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    }
    return r.data;
  });
}

import { z } from 'zod';
import { EmbeddingError } from '../../shared/metrics/embeddings.ts';
import { IpfError } from '../../shared/metrics/ipf.ts';
import { UsageError } from '../cli/errors.ts';
import { InputError } from './input-error.ts';

// Messages leave out the flag: formatIssue prefixes it ("--sigma: must be > 0").

/** A flag value that must parse as a number in (min, ∞) or [min, ∞). */
export const numberFlag = (min = 0, inclusive = false) =>
  z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), 'expected a number')
    .transform(Number)
    .refine((n) => (inclusive ? n >= min : n > min), `must be ${inclusive ? '≥' : '>'} ${min}`);

/** A flag value that must be a whole number ≥ min. */
export const wholeFlag = (min = 0) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min, `must be at least ${min}`);

/**
 * Runs a command body, turning input problems (bad files, inconsistent data) into exit code 2 with
 * their one-line message; anything else stays a failure of the work itself (exit 1).
 */
export async function asUsage<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof InputError || err instanceof EmbeddingError || err instanceof IpfError || err instanceof RangeError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
}

/** One JSON document; NaN/±Infinity (undefined rates) become null rather than invalid JSON. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);

/** A plain-text table: the first `leftAligned` columns padded on the right, the rest (numbers) on the left. */
export function formatTable(rows: string[][], leftAligned: number): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i < leftAligned ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

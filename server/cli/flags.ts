import { z } from 'zod';

// Flag values arrive as strings; these schemas type them. Messages leave out the flag name: formatIssue
// prefixes it ("--sigma: must be > 0").

/** A number in (min, ∞), or [min, ∞) when inclusive. */
export const numberFlag = (min = 0, inclusive = false) =>
  z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), 'expected a number')
    .transform(Number)
    .refine((n) => (inclusive ? n >= min : n > min), `must be ${inclusive ? '≥' : '>'} ${min}`);

/** A whole number ≥ min (and ≤ max when given). */
export const wholeFlag = (min = 0, max?: number) => {
  const expected = max === undefined ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, expected)
    .transform(Number)
    .refine((n) => n >= min && (max === undefined || n <= max), max === undefined ? `must be at least ${min}` : expected);
};

/** A plain-text table: the first `leftAligned` columns padded on the right, the rest (numbers) on the left. */
export function formatTable(rows: string[][], leftAligned: number): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i < leftAligned ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

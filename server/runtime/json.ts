/** One JSON document (CLI `--json` output, results files); NaN/±Infinity (undefined rates) become null rather than invalid JSON. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);

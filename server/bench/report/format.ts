/** Number formats shared by the report's tables. */
export const fixed = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

export const signedPct = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}%` : '–');

export const share = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');

/** p-values: three significant digits, scientific below 0.001. */
export const pValue = (p: number): string => (!Number.isFinite(p) ? '–' : p < 0.001 ? p.toExponential(2) : p.toPrecision(3));

export const count = (n: number): string => n.toLocaleString('en-US');

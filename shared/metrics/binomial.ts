import { InputError } from '../errors.ts';
/**
 * Exact binomial tests in log space, so that n in the thousands (a large A/B study) neither underflows
 * nor loses the tail probabilities that decide significance.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln P(X = k) for X ~ Binomial(n, p). */
export function binomialLogPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return -Infinity;
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * Two-sided exact binomial test of k successes in n trials against success probability p: the total
 * probability of every outcome no more likely than the one observed (as R's binom.test and SciPy's
 * binomtest define it; a relative tolerance of 1e-7 treats outcomes equally likely up to rounding as tied).
 */
export function binomialTestTwoSided(k: number, n: number, p = 0.5): number {
  if (!Number.isInteger(n) || n < 0) throw new InputError(`n must be a whole number ≥ 0, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new InputError(`k must be a whole number in [0, n], got ${k}`);
  if (!(p >= 0 && p <= 1)) throw new InputError(`p must be in [0, 1], got ${p}`);
  if (n === 0) return 1;
  const observed = binomialLogPmf(k, n, p);
  const cutoff = observed + Math.log1p(1e-7);
  // log-sum-exp over the qualifying outcomes, anchored at the observed (largest qualifying) term.
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const lp = binomialLogPmf(i, n, p);
    if (lp <= cutoff) sum += Math.exp(lp - observed);
  }
  return Math.min(1, Math.exp(observed + Math.log(sum)));
}

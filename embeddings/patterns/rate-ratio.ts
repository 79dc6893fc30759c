/**
 * The within-client comparison behind every success pattern: the Mantel–Haenszel rate ratio of a
 * subgroup's conversion rate against the same clients' other touches, stratified by client, with
 * the Greenland–Robins variance of its log (Greenland & Robins 1985, Biometrics 41:55–68). A client
 * whose base rate is high therefore cannot make a combination look good by using it a lot: each
 * client is compared with itself. The strata terms are additive, so a client can be left out by
 * subtracting its terms (the k-anonymity leave-one-out check).
 */

/** Additive Mantel–Haenszel terms over strata (clients). */
export interface RateRatioTerms {
  /** Σ y1·n0/N */
  r: number;
  /** Σ y0·n1/N */
  s: number;
  /** Σ (n1·n0·(y1+y0) − y1·y0·N)/N² */
  v: number;
}

export const emptyTerms = (): RateRatioTerms => ({ r: 0, s: 0, v: 0 });

/** One stratum's terms: n1/y1 touches/conversions in the subgroup, n0/y0 outside it (same client). */
export function stratumTerms(n1: number, y1: number, n0: number, y0: number): RateRatioTerms {
  const n = n1 + n0;
  if (n1 <= 0 || n0 <= 0) return emptyTerms();
  return { r: (y1 * n0) / n, s: (y0 * n1) / n, v: (n1 * n0 * (y1 + y0) - y1 * y0 * n) / (n * n) };
}

export function addTerms(into: RateRatioTerms, t: RateRatioTerms, sign = 1): void {
  into.r += sign * t.r;
  into.s += sign * t.s;
  into.v += sign * t.v;
}

export interface RateRatio {
  /** The adjusted lift (rate ratio); NaN when undefined. */
  ratio: number;
  /** ln(ratio) and its standard error. */
  log: number;
  se: number;
  /** z = log / se (signed). */
  z: number;
}

/**
 * The pooled ratio from its terms. Zero cells get the usual 0.5 continuity correction on the
 * side that is zero, so a subgroup with no conversion at all still gets a finite (very low) ratio.
 */
export function rateRatio(t: RateRatioTerms, strata = 1): RateRatio {
  let { r, s, v } = t;
  if (!(r > 0) || !(s > 0)) {
    const c = 0.5 / Math.max(1, strata);
    r = Math.max(r, c);
    s = Math.max(s, c);
    v = Math.max(v, c);
  }
  const log = Math.log(r / s);
  const se = Math.sqrt(Math.max(v, 1e-12) / (r * s));
  return { ratio: Math.exp(log), log, se, z: log / se };
}

/** The standard normal's two-sided 95% quantile: the z of every interval the miner reports. */
export const Z95 = 1.959964;

/** exp(log ± z·se): the confidence bounds of a ratio. */
export function ratioBounds(rr: RateRatio, z = Z95): { low: number; high: number } {
  return { low: Math.exp(rr.log - z * rr.se), high: Math.exp(rr.log + z * rr.se) };
}

/** Two-sided p-value of a standard normal z. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * normalUpperTail(Math.abs(z)));
}

/** P(Z > x) for a standard normal, via erfc (the Chebyshev fit of Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function normalUpperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * Benjamini–Hochberg: the largest p-value threshold that keeps the false-discovery rate at `q`
 * over `pValues` (all the hypotheses tested); a hypothesis is a discovery when p ≤ threshold.
 * Returns 0 when nothing is discovered.
 */
export function benjaminiHochbergThreshold(pValues: ArrayLike<number>, q: number): number {
  const m = pValues.length;
  if (m === 0) return 0;
  const sorted = Float64Array.from(pValues).sort();
  for (let i = m - 1; i >= 0; i--) {
    if ((sorted[i] as number) <= (q * (i + 1)) / m) return sorted[i] as number;
  }
  return 0;
}

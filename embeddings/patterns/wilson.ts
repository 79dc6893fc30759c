/**
 * Wilson score interval for a binomial proportion: better than the normal approximation for small
 * samples and rates near 0 or 1 (never outside [0, 1], never zero-width at 0 successes).
 */

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * @param successes - conversions (0 ≤ successes ≤ trials)
 * @param trials - touches
 * @param z - standard-normal quantile (default 95%)
 * @returns `{ low, high }` in [0, 1]; `{0, 1}` when there are no trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

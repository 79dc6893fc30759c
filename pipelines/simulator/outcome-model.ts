/**
 * When outcomes happen after a touch: clicks within minutes, conversions from minutes to days,
 * with a small tail beyond the attribution window (those must not count as a touch's success).
 */
import type { Rng } from './prng.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './simulation-options.ts';
import type { Channel } from './world-catalogue.ts';

/** Share of conversions that arrive after the attribution window. */
export const LATE_CONVERSION_SHARE = 0.05;
const FAST_SHARE = 0.45;

/** Channels where a contact cannot be clicked (a conversion has no click before it). */
const UNCLICKABLE: ReadonlySet<Channel> = new Set(['phone', 'direct_mail']);

/** Delay (ms, ≥ 1 s) from a touch to its conversion. */
export function conversionDelay(rng: Rng, attributionWindowMs: number): number {
  const r = rng.next();
  let delay: number;
  if (r < LATE_CONVERSION_SHARE) delay = rng.between(attributionWindowMs + HOUR_MS, 2 * attributionWindowMs);
  else if (r < LATE_CONVERSION_SHARE + FAST_SHARE) delay = MINUTE_MS + rng.exponential(45 * MINUTE_MS);
  else delay = Math.min(HOUR_MS + rng.exponential(1.5 * DAY_MS), attributionWindowMs - MINUTE_MS);
  return Math.max(1000, Math.round(delay));
}

/** Delay (ms, ≥ 1 s) from a touch to its click, never after `before` (the conversion delay) when given. */
export function clickDelay(rng: Rng, before?: number): number {
  const delay = Math.max(1000, Math.round(5000 + rng.exponential(15 * MINUTE_MS)));
  return before === undefined ? delay : Math.max(500, Math.min(delay, Math.floor(before / 2)));
}

/** Whether a converting touch was clicked first. */
export function clickBeforeConversion(rng: Rng, channel: Channel): boolean {
  return !UNCLICKABLE.has(channel) && rng.chance(0.8);
}

/** Order value of a conversion (currency units, 2 decimals), log-normal around the industry mean. */
export function orderValue(rng: Rng, mean: number): number {
  return Math.round(mean * Math.exp(0.5 * rng.normal() - 0.125) * 100) / 100;
}

/**
 * When an online row stops being served, decided once for every OnlineStore adapter: a row
 * written with a view TTL expires at `timestamp + ttlMs` (epoch ms) and is served while
 * `now < expiresAt`; from `now == expiresAt` on it is a miss. The bound is exclusive because that
 * is what Redis does with a key's own expiry (PEXPIREAT t: the key is gone at t), so an adapter
 * that lets the engine expire keys cannot disagree with one that compares timestamps.
 */
import { invalidInput } from '../../core/errors.ts';

/** Epoch ms at which a row stops being served; Infinity without a TTL. */
export function expiresAt(timestamp: number, ttlMs: number | undefined): number {
  return ttlMs === undefined ? Number.POSITIVE_INFINITY : timestamp + ttlMs;
}

/** True while a row that expires at `expiry` (epoch ms) is served at `now` (epoch ms). */
export function isServed(expiry: number, now: number): boolean {
  return now < expiry;
}

/**
 * A TTL map entry must be a positive, finite number of ms (a view without a TTL is left out of the map).
 * @throws ALMANAC_ERR_INPUT_INVALID naming the view.
 */
export function checkTtls(ttlMs: Record<string, number> | undefined): void {
  for (const [view, ttl] of Object.entries(ttlMs ?? {})) {
    if (typeof ttl !== 'number' || !(ttl > 0) || !Number.isFinite(ttl)) {
      throw invalidInput(`ttl for view '${view}' must be a positive number of ms, got ${String(ttl)}`, [{ path: `ttlMs.${view}`, reason: 'must be > 0' }]);
    }
  }
}

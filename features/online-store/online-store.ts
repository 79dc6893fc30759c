/**
 * OnlineStore port: the latest feature values per entity, for serving in milliseconds.
 * Shaped for batched network reads (one round trip for many entities) and idempotent writes:
 * a write whose `timestamp` is older than the stored one is ignored (replays change nothing).
 *
 * Adapters: `embedded/` (in-process map with a durable snapshot) and `redis/` (ioredis, a hash per
 * entity, TTL from the view, pipelined).
 */
import type { FeatureRow } from '../feature-view.ts';

export type OnlineStoreCapability = 'ttl' | 'snapshot' | 'row_counts';

export interface OnlineKey {
  view: string;
  entity: string;
}

export interface OnlineValue {
  /** Window end / event time of these values, epoch ms. */
  timestamp: number;
  values: Record<string, number | string>;
}

export interface OnlineStore {
  readonly kind: string;
  readonly capabilities: ReadonlySet<OnlineStoreCapability>;
  init(): Promise<void>;
  /** Flushes (embedded: writes the snapshot) and closes. */
  close(): Promise<void>;
  /**
   * Upserts rows in one batch. For each (view, entity) the row with the newest `timestamp` wins,
   * whatever the order of writes. Durable when resolved (embedded: after `flush()`).
   * @param ttlMs - per-view time to live (ms, > 0): a row is served while now < timestamp + ttl
   *   (online-expiry.ts); a view left out has none.
   * @throws ALMANAC_ERR_INPUT_INVALID on a TTL that is not a positive number of ms (nothing is written).
   * @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable)
   */
  write(rows: (FeatureRow | (OnlineKey & OnlineValue))[], ttlMs?: Record<string, number>): Promise<void>;
  /**
   * Reads many keys in one round trip; the result is aligned with `keys` (undefined = missing or expired).
   * @param now - epoch ms used for TTL checks (defaults to Date.now()); a row is a miss from now == timestamp + ttl on.
   * @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable)
   */
  read(keys: OnlineKey[], now?: number): Promise<(OnlineValue | undefined)[]>;
  /** Makes every acknowledged write durable (embedded: snapshot file; redis: no-op). */
  flush(): Promise<void>;
  /**
   * Health check for /health/ready: a real read (embedded: the snapshot file is re-checked and the
   * rows counted; redis: the store's written-marker key is read). Resolves with what it saw.
   * @throws ALMANAC_ERR_STORE_UNAVAILABLE when the backend does not answer, when its snapshot is
   *   unreadable, or when it answers but holds no feature rows at all (a lost snapshot, a flushed
   *   Redis): such a store would answer every tenant "unknown", so it is not ready.
   */
  ping(): Promise<string>;
  /**
   * Optional ('row_counts'): rows per view that a read would serve at `now` (unexpired), for the
   * console's feature-view page. Views without rows are absent.
   * @param now - epoch ms (defaults to Date.now()).
   * @throws ALMANAC_ERR_UNSUPPORTED when the store cannot count without scanning its keyspace (redis).
   */
  rowCounts(now?: number): Promise<Record<string, number>>;
}

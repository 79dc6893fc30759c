/**
 * ResultCache port: serving results keyed by input + model version + index version.
 * Adapters: `embedded/` (LRU in process, bounded in entries and bytes) and `redis/` (ioredis, SET PX;
 * bounded by the server's maxmemory policy).
 */
export interface ResultCache {
  readonly kind: string;
  init(): Promise<void>;
  close(): Promise<void>;
  /** The cached JSON text, or undefined on a miss. @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) */
  get(key: string): Promise<string | undefined>;
  /** Stores JSON text for `ttlMs` milliseconds; an entry too large for the cache's bound is not stored. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  ping(): Promise<boolean>;
  /** Optional: what the cache holds now (the embedded adapter; Redis counts its own memory). */
  usage?(): CacheUsage;
}

/** What an in-process cache holds. */
export interface CacheUsage {
  entries: number;
  /** Bytes as the cache counts them (see the adapter). */
  bytes: number;
  maxBytes: number;
}

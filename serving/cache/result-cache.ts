/**
 * ResultCache port: serving results keyed by input + model version + index version.
 * Adapters: `embedded/` (LRU in process) and `redis/` (ioredis, SET PX).
 */
export interface ResultCache {
  readonly kind: string;
  init(): Promise<void>;
  close(): Promise<void>;
  /** The cached JSON text, or undefined on a miss. @throws ALMANAC_ERR_STORE_UNAVAILABLE (retriable) */
  get(key: string): Promise<string | undefined>;
  /** Stores JSON text for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  ping(): Promise<boolean>;
}

/**
 * Embedded ResultCache: an in-process LRU (lru-cache) bounded by `config.cache.maxEntries` and by
 * `config.cache.maxBytes` (keys + JSON text counted at 2 bytes a character, an upper bound of what
 * V8 holds for them), each entry with its own TTL (ms). An entry larger than an eighth of the bound
 * is not stored. Lost on restart, which is fine for a cache.
 */
import { LRUCache } from 'lru-cache';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import type { CacheUsage, ResultCache } from '../result-cache.ts';

/** Bytes an entry is counted for: UTF-16 key and value plus a fixed per-entry overhead. */
export function entryBytes(key: string, value: string): number {
  return 2 * (key.length + value.length) + ENTRY_OVERHEAD_BYTES;
}

/** The LRU's node, its map entry and the TTL slots, roughly. */
const ENTRY_OVERHEAD_BYTES = 96;

export function createEmbeddedResultCache(config: AlmanacConfig): ResultCache & { usage(): CacheUsage } {
  const { maxEntries, maxBytes, ttlMs } = config.cache;
  const lru = new LRUCache<string, string>({
    max: maxEntries, ttl: ttlMs, ttlAutopurge: false,
    maxSize: maxBytes, maxEntrySize: Math.floor(maxBytes / 8), sizeCalculation: (value, key) => entryBytes(key, value),
  });
  return {
    kind: 'embedded',
    async init() {},
    async close() { lru.clear(); },
    async get(key) { return lru.get(key); },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
        throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `cache ttlMs must be a positive number of ms, got ${ttlMs}`, { details: { issues: [{ path: 'ttlMs', reason: 'must be > 0' }] } });
      }
      lru.set(key, value, { ttl: ttlMs });
    },
    async ping() { return true; },
    usage() { return { entries: lru.size, bytes: lru.calculatedSize, maxBytes }; },
  };
}

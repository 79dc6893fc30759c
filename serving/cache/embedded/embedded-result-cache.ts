/**
 * Embedded ResultCache: an in-process LRU (lru-cache) bounded by `config.cache.maxEntries`,
 * each entry with its own TTL (ms). Lost on restart, which is fine for a cache.
 */
import { LRUCache } from 'lru-cache';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import type { ResultCache } from '../result-cache.ts';

export function createEmbeddedResultCache(config: AlmanacConfig): ResultCache {
  const lru = new LRUCache<string, string>({ max: config.cache.maxEntries, ttl: config.cache.ttlMs, ttlAutopurge: false });
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
  };
}

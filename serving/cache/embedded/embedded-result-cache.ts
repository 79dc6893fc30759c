/**
 * Embedded ResultCache: in process, bounded by `config.cache.maxEntries` and `config.cache.maxBytes`,
 * each entry with its own TTL (ms); lost on restart, which is fine for a cache.
 *
 * Two LRUs (lru-cache), the window and main regions of W-TinyLFU (Caffeine's admission policy,
 * without its frequency sketch): every new result enters a small window (1/16 of each bound); it is
 * kept in the main region once it proves reuse, by being read while in the window (it moves) or by
 * being computed again after it left the window (a table of key fingerprints remembers the keys
 * seen lately). Unique searches (most of a planner's) cycle through the window only: they cannot
 * evict the answers that are asked again, and a full cache is not refilled with one-off answers.
 *
 * Values are kept as UTF-8 bytes in their own ArrayBuffers, outside V8's heap. Measured at 1M
 * patterns (issue 13): storing every ~10 KB search answer as a string grew the old generation by
 * 2.6 MB/s at 270 req/s, a mark-compact every ~3 s, and the slowest requests sat in them.
 */
import { LRUCache } from 'lru-cache';
import type { AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError } from '../../../core/errors.ts';
import type { CacheUsage, ResultCache } from '../result-cache.ts';

/** Bytes an entry is counted for: its UTF-16 key, its UTF-8 value and a fixed per-entry overhead. */
export function entryBytes(key: string, valueBytes: number): number {
  return 2 * key.length + valueBytes + ENTRY_OVERHEAD_BYTES;
}

/** The LRU's node, its map entry, the TTL slots and the byte array's header, roughly. */
const ENTRY_OVERHEAD_BYTES = 160;

/** The window's share of each bound: an entry larger than the window's bytes is not stored. */
export const WINDOW_SHARE = 1 / 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Fingerprints of the keys stored lately, direct-mapped: slot `h & mask` holds the 32-bit hash `h`
 * (FNV-1a, murmur3-finalised) of the last key that landed there (0 = empty). A key seen again while
 * its fingerprint is still in place is admitted; two keys sharing a 32-bit hash only admit one early.
 */
export class KeyFingerprints {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 1024;
    while (size < capacity) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Whether `key` was recorded (and not overwritten since). */
  has(key: string): boolean {
    const h = fnv1a(key);
    return this.slots[h & this.mask] === h;
  }

  /** Records `key`; true when it was recorded before (and not overwritten since). */
  seen(key: string): boolean {
    const h = fnv1a(key);
    const slot = h & this.mask;
    if (this.slots[slot] === h) return true;
    this.slots[slot] = h;
    return false;
  }
}

function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  // murmur3's finaliser: FNV's low bits (the slot) are poorly mixed for keys that differ at the end
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) || 1;
}

type Region = LRUCache<string, Uint8Array>;

export function createEmbeddedResultCache(config: AlmanacConfig): ResultCache & { usage(): CacheUsage } {
  const { maxEntries, maxBytes, ttlMs } = config.cache;
  const windowEntries = Math.max(1, Math.floor(maxEntries * WINDOW_SHARE));
  const windowBytes = Math.floor(maxBytes * WINDOW_SHARE);
  const region = (max: number, maxSize: number): Region => new LRUCache<string, Uint8Array>({
    max, maxSize, maxEntrySize: windowBytes, ttl: ttlMs, ttlAutopurge: false,
    sizeCalculation: (value, key) => entryBytes(key, value.byteLength),
  });
  const window = region(windowEntries, windowBytes);
  const main = region(Math.max(1, maxEntries - windowEntries), maxBytes - windowBytes);
  const fingerprints = new KeyFingerprints(4 * maxEntries);
  return {
    kind: 'embedded',
    async init() {},
    async close() { window.clear(); main.clear(); },
    async get(key) {
      const kept = main.get(key);
      if (kept !== undefined) return decoder.decode(kept);
      const fresh = window.get(key);
      if (fresh === undefined) return undefined;
      const ttl = window.getRemainingTTL(key);
      window.delete(key);
      if (ttl > 0) main.set(key, fresh, { ttl }); // read again: it is reused
      return decoder.decode(fresh);
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
        throw new AlmanacError('ALMANAC_ERR_INPUT_INVALID', `cache ttlMs must be a positive number of ms, got ${ttlMs}`, { details: { issues: [{ path: 'ttlMs', reason: 'must be > 0' }] } });
      }
      const bytes = encoder.encode(value);
      const again = fingerprints.seen(key);
      if (main.has(key) || window.has(key) || again) {
        window.delete(key);
        main.set(key, bytes, { ttl: ttlMs });
      } else {
        window.set(key, bytes, { ttl: ttlMs });
      }
    },
    async ping() { return true; },
    usage() { return { entries: window.size + main.size, bytes: window.calculatedSize + main.calculatedSize, maxBytes }; },
  };
}

/**
 * The ResultCache contract, run against every adapter: `resultCacheContract('embedded', make)`
 * here, and on Redis by its integration suite. `make` returns a fresh, initialised cache whose
 * keys do not collide with other runs (use a unique key prefix for shared servers).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultCache } from '../../serving/cache/result-cache.ts';

export function resultCacheContract(name: string, make: () => Promise<ResultCache>): void {
  describe(`ResultCache contract: ${name}`, () => {
    let cache: ResultCache;
    let ns: string;
    beforeEach(async () => {
      cache = await make();
      ns = `contract:${randomUUID()}:`;
    });
    afterEach(async () => {
      await cache.close();
    });

    it('misses on an unknown key', async () => {
      expect(await cache.get(`${ns}absent`)).toBeUndefined();
    });

    it('returns what was set, byte for byte (JSON text, unicode)', async () => {
      const value = JSON.stringify({ probability: 0.125, note: 'ünïcødé ✓', list: [1, 2, 3] });
      await cache.set(`${ns}k`, value, 60_000);
      expect(await cache.get(`${ns}k`)).toBe(value);
    });

    it('overwrites a key (last write wins)', async () => {
      await cache.set(`${ns}k`, '"a"', 60_000);
      await cache.set(`${ns}k`, '"b"', 60_000);
      expect(await cache.get(`${ns}k`)).toBe('"b"');
    });

    it('keeps keys apart', async () => {
      await cache.set(`${ns}a`, '1', 60_000);
      await cache.set(`${ns}b`, '2', 60_000);
      expect([await cache.get(`${ns}a`), await cache.get(`${ns}b`)]).toEqual(['1', '2']);
    });

    it('expires an entry after its ttl', async () => {
      await cache.set(`${ns}short`, '"x"', 50);
      await cache.set(`${ns}long`, '"y"', 60_000);
      await new Promise((r) => setTimeout(r, 120));
      expect(await cache.get(`${ns}short`)).toBeUndefined();
      expect(await cache.get(`${ns}long`)).toBe('"y"');
    });

    it('handles long keys and large values', async () => {
      const key = `${ns}${'k'.repeat(1000)}`;
      const value = JSON.stringify({ blob: 'v'.repeat(200_000) });
      await cache.set(key, value, 60_000);
      expect(await cache.get(key)).toBe(value);
    });

    it('answers ping', async () => {
      expect(await cache.ping()).toBe(true);
    });

    it('serves concurrent gets and sets consistently', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => cache.set(`${ns}c${i}`, String(i), 60_000)));
      const got = await Promise.all(Array.from({ length: 50 }, (_, i) => cache.get(`${ns}c${i}`)));
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    });
  });
}

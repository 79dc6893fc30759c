/**
 * The result cache is bounded in bytes, not only entries (issue 12: 10,000 unique searches held
 * 675 MB): measured with the cache's own count (lru-cache calculatedSize), not the heap.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { buildApp } from '../../../serving/app.ts';
import { createEmbeddedResultCache, entryBytes } from '../../../serving/cache/embedded/embedded-result-cache.ts';
import { bearer } from '../auth-keys.ts';
import { fakeDeps, PLAN } from '../serving-fakes.ts';

const MAX_BYTES = 256 * 1024;
const config = (cache: { maxBytes?: number; maxEntries?: number }) => loadConfig({ env: {}, overrides: { home: '/tmp/unused', cache } });

describe('result cache bytes', () => {
  it('stay under cache.maxBytes after 10,000 unique searches, the bound filled and the latest answers kept', async () => {
    const cache = createEmbeddedResultCache(config({ maxBytes: MAX_BYTES, maxEntries: 1_000_000 }));
    const world = await fakeDeps({ cache });
    const served = loadConfig({ env: {}, overrides: { home: world.config.home, logLevel: 'silent', serving: { rateLimit: { max: 1_000_000 } } } });
    const app = await buildApp({ ...world.deps, config: served }, { poll: false });
    const key = bearer(world.keys.byClient.c1!);
    try {
      let most = 0;
      const search = (i: number) => app.inject({ method: 'POST', url: '/v1/patterns/search', headers: key, payload: { plan: { ...PLAN, attributes: { q: `unique-${i}` } }, top_n: 10 } });
      for (let i = 0; i < 10_000; i += 50) {
        const answers = await Promise.all(Array.from({ length: 50 }, (_, j) => search(i + j)));
        expect(answers.filter((r) => r.statusCode !== 200).map((r) => r.body).slice(0, 1)).toEqual([]);
        await new Promise((r) => setImmediate(r)); // the cache write is not awaited by the route
        most = Math.max(most, cache.usage().bytes);
      }
      const usage = cache.usage();
      expect(most).toBeLessThanOrEqual(MAX_BYTES);
      expect(usage.bytes).toBeGreaterThan(MAX_BYTES * 0.8); // the bound is what limits it (entries are not)
      expect(usage.entries).toBeLessThan(10_000);
      expect((await search(9_999)).headers['x-almanac-cache']).toBe('hit');
      expect((await search(0)).headers['x-almanac-cache']).toBe('miss');
    } finally {
      await app.close();
    }
  }, 120_000);

  it('counts keys and values at 2 bytes a character plus a fixed overhead, and does not store an entry over an eighth of the bound', async () => {
    const cache = createEmbeddedResultCache(config({ maxBytes: 64 * 1024 }));
    await cache.set('small', 'x'.repeat(100), 60_000);
    expect(cache.usage()).toEqual({ entries: 1, bytes: entryBytes('small', 'x'.repeat(100)), maxBytes: 64 * 1024 });
    expect(entryBytes('ab', 'cde')).toBe(entryBytes('', '') + 10);
    await cache.set('big', 'x'.repeat(8 * 1024), 60_000); // 16 KiB + overhead > 8 KiB
    expect(await cache.get('big')).toBeUndefined();
    expect(await cache.get('small')).toBe('x'.repeat(100));
  });

  it('cache.maxBytes is validated: below 64 KiB or not an integer is a config error naming the field', () => {
    expect(() => config({ maxBytes: 1000 })).toThrow(/cache\.maxBytes: must be at least 65536/);
    expect(() => loadConfig({ env: { ALMANAC_CACHE_MAX_BYTES: '1e6x' }, overrides: { home: '/tmp/unused' } })).toThrow(/ALMANAC_CACHE_MAX_BYTES='1e6x' is not an integer/);
    expect(loadConfig({ env: { ALMANAC_CACHE_MAX_BYTES: '1048576' }, overrides: { home: '/tmp/unused' } }).cache.maxBytes).toBe(1_048_576);
  });

  it('serving.limits are validated: headersTimeoutMs may not exceed requestTimeoutMs', () => {
    expect(() => loadConfig({ env: {}, overrides: { home: '/tmp/unused', serving: { limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 } } } }))
      .toThrow(/serving\.limits\.headersTimeoutMs: must not exceed requestTimeoutMs/);
    expect(() => loadConfig({ env: {}, overrides: { home: '/tmp/unused', serving: { limits: { maxConnections: 0 } } } })).toThrow(/serving\.limits\.maxConnections/);
  });
});

/**
 * The result cache is bounded in bytes, not only entries (issue 12: 10,000 unique searches held
 * 675 MB): measured with the cache's own count (lru-cache calculatedSize), not the heap.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { buildApp } from '../../../serving/app.ts';
import { createEmbeddedResultCache, entryBytes, WINDOW_SHARE } from '../../../serving/cache/embedded/embedded-result-cache.ts';
import { bearer } from '../auth-keys.ts';
import { fakeDeps, PLAN } from '../serving-fakes.ts';

const MAX_BYTES = 256 * 1024;
const config = (cache: { maxBytes?: number; maxEntries?: number }) => loadConfig({ env: {}, overrides: { home: '/tmp/unused', cache } });

/** The app over the fakes with a MAX_BYTES embedded cache, and a search of client c1 whose plan differs by `q`. */
async function servedSearch() {
  const cache = createEmbeddedResultCache(config({ maxBytes: MAX_BYTES, maxEntries: 1_000_000 }));
  const world = await fakeDeps({ cache });
  const served = loadConfig({ env: {}, overrides: { home: world.config.home, logLevel: 'silent', serving: { rateLimit: { max: 1_000_000 } } } });
  const app = await buildApp({ ...world.deps, config: served }, { poll: false });
  const key = bearer(world.keys.byClient.c1!);
  const search = (q: string) => app.inject({ method: 'POST', url: '/v1/patterns/search', headers: key, payload: { plan: { ...PLAN, attributes: { q } }, top_n: 10 } });
  return { cache, app, search };
}

/** The route does not await its cache write: a turn of the event loop lets it land. */
const written = () => new Promise((r) => setImmediate(r));

describe('result cache bytes', () => {
  it('stay under cache.maxBytes after 2,000 searches each asked twice, the bound filled and the latest answers kept', async () => {
    const { cache, app, search } = await servedSearch();
    try {
      let most = 0;
      for (let i = 0; i < 2_000; i++) {
        const first = await search(`unique-${i}`);
        await written();
        const again = await search(`unique-${i}`);
        expect([first.statusCode, again.statusCode, first.headers['x-almanac-cache'], again.headers['x-almanac-cache']]).toEqual([200, 200, 'miss', 'hit']); // asked again: a hit, and kept
        most = Math.max(most, cache.usage().bytes);
      }
      const usage = cache.usage();
      expect(most).toBeLessThanOrEqual(MAX_BYTES);
      expect(usage.bytes).toBeGreaterThan(MAX_BYTES * 0.8); // the bound is what limits it (entries are not)
      expect(usage.entries).toBeLessThan(2_000);
      expect((await search('unique-1999')).headers['x-almanac-cache']).toBe('hit');
      expect((await search('unique-0')).headers['x-almanac-cache']).toBe('miss');
    } finally {
      await app.close();
    }
  }, 120_000);

  it('one-off searches fill the window only: 5,000 of them leave the answers asked twice in place', async () => {
    const { cache, app, search } = await servedSearch();
    try {
      for (const q of ['hot-a', 'hot-b']) { await search(q); await written(); expect((await search(q)).headers['x-almanac-cache']).toBe('hit'); }
      const kept = cache.usage().bytes;
      for (let i = 0; i < 4_950; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => search(`once-${i + j}`)));
        await written();
      }
      for (let i = 4_950; i < 5_000; i++) { // the last ones one at a time, so the latest is the last stored
        await search(`once-${i}`);
        await written();
      }
      expect(cache.usage().bytes).toBeLessThanOrEqual(kept + MAX_BYTES * WINDOW_SHARE);
      expect((await search('hot-a')).headers['x-almanac-cache']).toBe('hit');
      expect((await search('hot-b')).headers['x-almanac-cache']).toBe('hit');
      expect((await search('once-4999')).headers['x-almanac-cache']).toBe('hit'); // the latest one-off answers are in the window
      expect((await search('once-0')).headers['x-almanac-cache']).toBe('miss');
    } finally {
      await app.close();
    }
  }, 120_000);

  it('counts keys at 2 bytes a character, values at their UTF-8 bytes, plus a fixed overhead; an entry over the window (1/16 of the bound) is not stored', async () => {
    const cache = createEmbeddedResultCache(config({ maxBytes: 64 * 1024 }));
    await cache.set('small', 'x'.repeat(100), 60_000);
    expect(cache.usage()).toEqual({ entries: 1, bytes: entryBytes('small', 100), maxBytes: 64 * 1024 });
    expect(entryBytes('ab', 3)).toBe(entryBytes('', 0) + 7);
    await cache.set('uni', 'ü✓', 60_000);
    expect(cache.usage().bytes).toBe(entryBytes('small', 100) + entryBytes('uni', 5)); // ü is 2 bytes, ✓ 3
    await cache.set('big', 'x'.repeat(4 * 1024), 60_000); // 4 KiB + key + overhead > 4 KiB
    expect(await cache.get('big')).toBeUndefined();
    expect(await cache.get('small')).toBe('x'.repeat(100));
    expect(await cache.get('uni')).toBe('ü✓');
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

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { createEmbeddedResultCache, KeyFingerprints } from '../../../serving/cache/embedded/embedded-result-cache.ts';
import { createResultCache } from '../../../serving/cache/create-result-cache.ts';
import { resultCacheContract } from '../../contracts/result-cache.contract.ts';

const config = (maxEntries = 1000) => loadConfig({ env: {}, overrides: { home: '/tmp/unused', cache: { maxEntries } } });

resultCacheContract('embedded', async () => {
  const cache = createEmbeddedResultCache(config());
  await cache.init();
  return cache;
});

describe('embedded result cache', () => {
  it('is the default adapter picked by config', async () => {
    expect((await createResultCache(config())).kind).toBe('embedded');
  });

  it('serves a repeat from the window, then keeps it: it outlives a flood of one-off answers', async () => {
    const cache = createEmbeddedResultCache(config(1600)); // window: 100 entries
    await cache.set('hot', '"h"', 60_000);
    expect(await cache.get('hot')).toBe('"h"'); // read while in the window: moved to the main region
    for (let i = 0; i < 5000; i++) await cache.set(`once-${i}`, String(i), 60_000);
    expect(await cache.get('hot')).toBe('"h"');
    expect(await cache.get('once-4999')).toBe('4999'); // the latest one-off answers are in the window
    expect(await cache.get('once-0')).toBeUndefined();
    expect(cache.usage().entries).toBeLessThanOrEqual(1600);
  });

  it('keeps an answer computed again after it left the window (its key was seen)', async () => {
    const cache = createEmbeddedResultCache(config(1600));
    await cache.set('again', '1', 60_000);
    for (let i = 0; i < 500; i++) await cache.set(`once-${i}`, String(i), 60_000);
    expect(await cache.get('again')).toBeUndefined(); // pushed out of the window unread
    await cache.set('again', '2', 60_000); // computed again: admitted to the main region
    for (let i = 500; i < 5000; i++) await cache.set(`once-${i}`, String(i), 60_000);
    expect(await cache.get('again')).toBe('2');
  });

  it('evicts the least recently used kept entry beyond maxEntries', async () => {
    const cache = createEmbeddedResultCache(config(32)); // window 2, main 30
    for (let i = 0; i < 30; i++) { await cache.set(`k${i}`, String(i), 60_000); expect(await cache.get(`k${i}`)).toBe(String(i)); }
    expect(await cache.get('k0')).toBe('0'); // k0 is now the most recently used, k1 the least
    await cache.set('k30', '30', 60_000);
    await cache.get('k30'); // kept: the main region is over its 30 entries
    expect(await cache.get('k1')).toBeUndefined();
    expect(await cache.get('k0')).toBe('0');
    expect(cache.usage().entries).toBe(30);
  });

  it('a kept entry keeps the ttl it was set with', async () => {
    const cache = createEmbeddedResultCache(config());
    await cache.set('short', '"x"', 60);
    expect(await cache.get('short')).toBe('"x"'); // moved to the main region
    await new Promise((r) => setTimeout(r, 120));
    expect(await cache.get('short')).toBeUndefined();
  });

  it('key fingerprints: a key is seen the second time; the direct-mapped table remembers most recent keys', () => {
    const fp = new KeyFingerprints(4096);
    expect(fp.seen('a')).toBe(false);
    expect(fp.seen('a')).toBe(true);
    const keys = Array.from({ length: 1000 }, (_, i) => `search:t${i}:digest${i * 7919}`);
    for (const k of keys) fp.seen(k);
    // 1,000 keys in 4,096 slots occupy 4096 × (1 − e^(−1000/4096)) ≈ 885 of them if the hash spreads them evenly
    expect(keys.filter((k) => fp.has(k)).length).toBeGreaterThan(850);
    expect(fp.has('never-recorded')).toBe(false);
  });

  it('rejects a non-positive ttl', async () => {
    const cache = createEmbeddedResultCache(config());
    await expect(cache.set('a', '1', 0)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});

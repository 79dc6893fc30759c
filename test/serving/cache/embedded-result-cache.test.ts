import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { createEmbeddedResultCache } from '../../../serving/cache/embedded/embedded-result-cache.ts';
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

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = createEmbeddedResultCache(config(2));
    await cache.set('a', '1', 60_000);
    await cache.set('b', '2', 60_000);
    await cache.get('a');
    await cache.set('c', '3', 60_000);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('c')).toBe('3');
  });

  it('rejects a non-positive ttl', async () => {
    const cache = createEmbeddedResultCache(config());
    await expect(cache.set('a', '1', 0)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});

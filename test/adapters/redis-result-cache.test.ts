import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createRedisResultCache } from '../../serving/cache/redis/redis-result-cache.ts';
import type { ResultCache } from '../../serving/cache/result-cache.ts';
import { resultCacheContract } from '../contracts/result-cache.contract.ts';
import { redisAvailable, redisTarget, type RedisTarget } from './private-redis.ts';

let target: RedisTarget | undefined;
let n = 0;
const caches: ResultCache[] = [];

function configFor(url: string, prefix: string) {
  return loadConfig({ env: {}, overrides: { cache: { adapter: 'redis', redis: { url, keyPrefix: prefix } } } });
}

async function freshCache(): Promise<ResultCache> {
  const cache = createRedisResultCache(configFor(target!.url, `tc${process.pid}-${Date.now()}-${n++}:`));
  await cache.init();
  caches.push(cache);
  return cache;
}

beforeAll(async () => {
  if (redisAvailable()) target = await redisTarget('redis result cache');
});
afterAll(async () => {
  for (const c of caches) await c.close();
  await target?.server?.dispose();
});

if (redisAvailable()) resultCacheContract('redis', freshCache);

describe.skipIf(!redisAvailable())('redis result cache (real redis-server)', () => {
  it('returns what was set and undefined on a miss', async () => {
    const cache = await freshCache();
    const value = JSON.stringify({ p: 0.42, model: 'v3', note: 'ünïcode "quoted"' });
    await cache.set('predict:abc', value, 60_000);
    expect(await cache.get('predict:abc')).toBe(value);
    expect(await cache.get('predict:missing')).toBeUndefined();
  });

  it('expires entries after ttlMs', async () => {
    const cache = await freshCache();
    await cache.set('k', '1', 30);
    await new Promise((r) => setTimeout(r, 80));
    expect(await cache.get('k')).toBeUndefined();
  });

  it('keeps caches with different prefixes apart', async () => {
    const a = await freshCache();
    const b = await freshCache();
    await a.set('same', 'a', 60_000);
    expect(await b.get('same')).toBeUndefined();
  });

  it('rejects a non-positive ttl', async () => {
    const cache = await freshCache();
    await expect(cache.set('k', 'v', 0)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });

  it('pings true', async () => {
    expect(await (await freshCache()).ping()).toBe(true);
  });
});

describe('redis result cache without a server', () => {
  it('fails with a retriable STORE_UNAVAILABLE and pings false', async () => {
    const cache = createRedisResultCache(configFor('redis://127.0.0.1:1', 'x:'), { connectTimeoutMs: 200 });
    await expect(cache.init()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: true });
    await expect(cache.get('k')).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    await expect(cache.set('k', 'v', 1000)).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    expect(await cache.ping()).toBe(false);
    await cache.close();
  });
});

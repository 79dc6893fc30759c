import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createRedisOnlineStore } from '../../features/online-store/redis/redis-online-store.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../../features/online-store/online-store.ts';
import { onlineStoreContract } from '../contracts/online-store.contract.ts';
import { redisAvailable, redisTarget, type RedisTarget } from './private-redis.ts';

let target: RedisTarget | undefined;
let n = 0;
const stores: OnlineStore[] = [];
const prefixes = new Map<OnlineStore, string>();

function configFor(url: string, prefix: string) {
  return loadConfig({ env: {}, overrides: { onlineStore: { adapter: 'redis', redis: { url, keyPrefix: prefix } } } });
}

async function freshStore(): Promise<{ store: OnlineStore; prefix: string }> {
  const prefix = `t${process.pid}-${Date.now()}-${n++}:`;
  const store = createRedisOnlineStore(configFor(target!.url, prefix));
  await store.init();
  stores.push(store);
  prefixes.set(store, prefix);
  return { store, prefix };
}

beforeAll(async () => {
  if (redisAvailable()) target = await redisTarget('redis online store');
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await target?.server?.dispose();
});

if (redisAvailable()) {
  onlineStoreContract('redis', async () => (await freshStore()).store, {
    reopen: async (closed) => {
      const again = createRedisOnlineStore(configFor(target!.url, prefixes.get(closed)!));
      await again.init();
      stores.push(again);
      return again;
    },
  });
}

describe.skipIf(!redisAvailable())('redis online store (real redis-server)', () => {
  it('round-trips numbers and strings, aligned with the keys, undefined for misses', async () => {
    const { store } = await freshStore();
    await store.write([
      { view: 'client_activity', entity: 'c1', timestamp: 1000, values: { touches_1d: 3, rate: 0.25, neg: -1.5e-7 } },
      { view: 'campaign_profile', entity: 'k1', timestamp: 2000, values: { industry: 'retail', budget: 100, digits: '42', quote: 'say "hi"\\' } },
    ]);
    const got = await store.read([
      { view: 'campaign_profile', entity: 'k1' },
      { view: 'client_activity', entity: 'nobody' },
      { view: 'client_activity', entity: 'c1' },
    ]);
    expect(got).toEqual([
      { timestamp: 2000, values: { industry: 'retail', budget: 100, digits: '42', quote: 'say "hi"\\' } },
      undefined,
      { timestamp: 1000, values: { touches_1d: 3, rate: 0.25, neg: -1.5e-7 } },
    ]);
    expect(typeof got[0]!.values.digits).toBe('string');
  });

  it('keeps the newest timestamp whatever the write order; replays change nothing', async () => {
    const { store } = await freshStore();
    const key = { view: 'v', entity: 'e' };
    await store.write([{ ...key, timestamp: 300, values: { x: 3 } }]);
    await store.write([{ ...key, timestamp: 100, values: { x: 1 } }, { ...key, timestamp: 200, values: { x: 2 } }]);
    expect(await store.read([key])).toEqual([{ timestamp: 300, values: { x: 3 } }]);
    await store.write([{ ...key, timestamp: 300, values: { x: 3 } }]);
    expect(await store.read([key])).toEqual([{ timestamp: 300, values: { x: 3 } }]);
  });

  it('a newer row replaces the whole hash (no stale fields survive)', async () => {
    const { store } = await freshStore();
    const key = { view: 'v', entity: 'e' };
    await store.write([{ ...key, timestamp: 1, values: { a: 1, b: 2 } }]);
    await store.write([{ ...key, timestamp: 2, values: { a: 5 } }]);
    expect(await store.read([key])).toEqual([{ timestamp: 2, values: { a: 5 } }]);
  });

  it('stores one hash per (view, entity) under <prefix>f:<view>:<entity> with a physical expiry', async () => {
    const { store, prefix } = await freshStore();
    const now = Date.now();
    await store.write([{ view: 'v', entity: 'ünï:çødé', timestamp: now, values: { x: 1 } }], { v: 60_000 });
    const raw = new Redis(target!.url);
    try {
      expect(await raw.hgetall(`${prefix}f:v:ünï:çødé`)).toEqual({ _ts: String(now), _exp: String(now + 60_000), x: '1' });
      const pttl = await raw.pttl(`${prefix}f:v:ünï:çødé`);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      raw.disconnect();
    }
  });

  it('serves a row only while now < timestamp + ttl (point-in-time reads with an explicit now)', async () => {
    const { store } = await freshStore();
    const key = { view: 'v', entity: 'e' };
    await store.write([{ ...key, timestamp: 1_000, values: { x: 1 } }], { v: 500 });
    expect(await store.read([key], 1_499)).toEqual([{ timestamp: 1_000, values: { x: 1 } }]);
    expect(await store.read([key], 1_500)).toEqual([undefined]);
    expect(await store.read([{ view: 'v', entity: 'e' }])).toEqual([undefined]);
  });

  it('writes and reads a large batch (auto-pipelined)', async () => {
    const { store } = await freshStore();
    const rows = Array.from({ length: 2000 }, (_, i) => ({ view: 'v', entity: `e${i}`, timestamp: i, values: { i } }));
    await store.write(rows);
    const got = await store.read(rows.map(({ view, entity }) => ({ view, entity })));
    expect(got.map((g) => g?.values.i)).toEqual(rows.map((r) => r.values.i));
  });

  it('falls back to EVAL when the script cache was flushed (e.g. after a restart)', async () => {
    const { store } = await freshStore();
    const raw = new Redis(target!.url);
    await raw.script('FLUSH');
    raw.disconnect();
    await store.write([{ view: 'v', entity: 'e', timestamp: 5, values: { x: 5 } }]);
    expect(await store.read([{ view: 'v', entity: 'e' }])).toEqual([{ timestamp: 5, values: { x: 5 } }]);
  });

  it('rejects a bad batch before writing anything', async () => {
    const { store } = await freshStore();
    const good = { view: 'v', entity: 'ok', timestamp: 1, values: { x: 1 } };
    const bad: (OnlineKey & OnlineValue)[] = [
      { view: 'v', entity: '', timestamp: 1, values: {} },
      { view: 'a:b', entity: 'e', timestamp: 1, values: {} },
      { view: 'v', entity: 'e', timestamp: Number.NaN, values: {} },
      { view: 'v', entity: 'e', timestamp: 1, values: { _ts: 1 } },
      { view: 'v', entity: 'e', timestamp: 1, values: { x: null as unknown as number } },
    ];
    for (const row of bad) {
      await expect(store.write([good, row])).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    }
    await expect(store.write([good], { v: -1 })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    expect(await store.read([{ view: 'v', entity: 'ok' }])).toEqual([undefined]);
  });

  it('reports itself live; kind and capabilities', async () => {
    const { store } = await freshStore();
    await expect(store.ping()).rejects.toThrow(/holds no feature rows \(key .*written is absent/);
    await store.write([{ view: 'v', entity: 'e', timestamp: 1, values: { x: 1 } }]);
    expect(await store.ping()).toMatch(/^last written \d{4}-/);
    expect(store.kind).toBe('redis');
    expect([...store.capabilities]).toEqual(['ttl']);
  });

  it('a store written before the health marker existed (an upgrade) is up, and the marker is restored', async () => {
    const { store, prefix } = await freshStore();
    await store.write([{ view: 'v', entity: 'e', timestamp: 1, values: { x: 1 } }]);
    const raw = new Redis(target!.url);
    try {
      await raw.del(`${prefix}written`);
      expect(await store.ping()).toBe('holds feature rows (marker restored)');
      expect(await raw.exists(`${prefix}written`)).toBe(1);
      expect(await store.ping()).toMatch(/^last written \d{4}-/);
    } finally {
      raw.disconnect();
    }
  });
});

describe('redis online store without a server', () => {
  it('fails init, reads and writes with a retriable STORE_UNAVAILABLE and ping rejects', async () => {
    const store = createRedisOnlineStore(configFor('redis://127.0.0.1:1', 'x:'), { connectTimeoutMs: 200 });
    await expect(store.init()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: true });
    await expect(store.read([{ view: 'v', entity: 'e' }])).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: true });
    await expect(store.write([{ view: 'v', entity: 'e', timestamp: 1, values: {} }])).rejects.toMatchObject({
      code: 'ALMANAC_ERR_STORE_UNAVAILABLE',
      details: { dependency: 'redis', operation: 'write', failedRows: 1 },
    });
    await expect(store.ping()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: true });
    await store.close();
  });
});

/**
 * The OnlineStore contract, run against every adapter (embedded always; redis when REDIS_URL is set).
 * `make` must return a fresh, isolated, initialised store; `reopen` (optional) opens a new instance
 * over the same durable data after `close()` of the given one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OnlineStore } from '../../features/online-store/online-store.ts';

export interface OnlineStoreContractOptions {
  reopen?: (closed: OnlineStore) => Promise<OnlineStore>;
}

const T = Date.UTC(2024, 4, 1);

export function onlineStoreContract(name: string, make: () => Promise<OnlineStore>, options: OnlineStoreContractOptions = {}): void {
  describe(`OnlineStore contract: ${name}`, () => {
    const open: OnlineStore[] = [];
    const fresh = async () => {
      const s = await make();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    it('returns undefined for missing keys, aligned with the request', async () => {
      const store = await fresh();
      await store.write([{ view: 'v_missing', entity: 'a', timestamp: T, values: { x: 1 } }]);
      const got = await store.read([{ view: 'v_missing', entity: 'nope' }, { view: 'v_missing', entity: 'a' }, { view: 'other', entity: 'a' }], T);
      expect(got).toEqual([undefined, { timestamp: T, values: { x: 1 } }, undefined]);
    });

    it('reads many keys in one batch, results aligned with the keys', async () => {
      const store = await fresh();
      const rows = Array.from({ length: 60 }, (_, i) => ({ view: 'v_batch', entity: `e${i}`, timestamp: T + i, values: { i, tag: `t${i}` } }));
      await store.write(rows);
      const keys = [...rows].reverse().flatMap((r, j) => (j % 5 === 0 ? [{ view: 'v_batch', entity: `missing${j}` }, { view: r.view, entity: r.entity }] : [{ view: r.view, entity: r.entity }]));
      const got = await store.read(keys, T);
      expect(got).toHaveLength(keys.length);
      keys.forEach((k, j) => {
        if (k.entity.startsWith('missing')) expect(got[j]).toBeUndefined();
        else expect(got[j]?.values.i).toBe(Number(k.entity.slice(1)));
      });
    });

    it('counts the rows a read would serve per view (row_counts), or says it does not support counting', async () => {
      const store = await fresh();
      await store.write([
        { view: 'v_count', entity: 'a', timestamp: T, values: { x: 1 } },
        { view: 'v_count', entity: 'b', timestamp: T, values: { x: 1 } },
        { view: 'v_count_ttl', entity: 'a', timestamp: T - 10_000, values: { x: 1 } },
      ], { v_count_ttl: 1_000 });
      if (!store.capabilities.has('row_counts')) {
        await expect(store.rowCounts(T)).rejects.toMatchObject({ code: 'ALMANAC_ERR_UNSUPPORTED' });
        return;
      }
      const counts = await store.rowCounts(T);
      expect(counts.v_count).toBe(2);
      expect(counts.v_count_ttl).toBeUndefined(); // expired: a read would not serve it
    });

    it('keeps the newest timestamp whatever the order of writes', async () => {
      const store = await fresh();
      await store.write([{ view: 'v_new', entity: 'a', timestamp: T + 10, values: { x: 2 } }]);
      await store.write([{ view: 'v_new', entity: 'a', timestamp: T, values: { x: 1 } }]);
      await store.write([
        { view: 'v_new', entity: 'b', timestamp: T + 5, values: { x: 5 } },
        { view: 'v_new', entity: 'b', timestamp: T + 1, values: { x: 1 } },
      ]);
      const got = await store.read([{ view: 'v_new', entity: 'a' }, { view: 'v_new', entity: 'b' }], T + 10);
      expect(got.map((g) => g?.values.x)).toEqual([2, 5]);
      expect(got[0]?.timestamp).toBe(T + 10);
    });

    it('expires values after the view TTL (by row timestamp, using the now parameter)', async () => {
      const store = await fresh();
      const now = Date.now();
      await store.write([
        { view: 'v_ttl', entity: 'a', timestamp: now, values: { x: 1 } },
        { view: 'v_keep', entity: 'a', timestamp: now, values: { x: 2 } },
      ], { v_ttl: 60_000 });
      const key = [{ view: 'v_ttl', entity: 'a' }, { view: 'v_keep', entity: 'a' }];
      expect((await store.read(key, now + 30_000)).map((g) => g?.values.x)).toEqual([1, 2]);
      expect((await store.read(key, now + 61_000)).map((g) => g?.values.x)).toEqual([undefined, 2]);
    });

    it('serves a row while now < timestamp + ttl: at exactly the expiry it is a miss', async () => {
      const store = await fresh();
      await store.write([{ view: 'v_edge', entity: 'a', timestamp: T, values: { x: 1 } }], { v_edge: 60_000 });
      const key = [{ view: 'v_edge', entity: 'a' }];
      expect(await store.read(key, T)).toEqual([{ timestamp: T, values: { x: 1 } }]);
      expect(await store.read(key, T + 59_999)).toEqual([{ timestamp: T, values: { x: 1 } }]);
      expect(await store.read(key, T + 60_000)).toEqual([undefined]);
      expect(await store.read(key, T + 60_001)).toEqual([undefined]);
      // A newer row carries its own expiry.
      await store.write([{ view: 'v_edge', entity: 'a', timestamp: T + 60_000, values: { x: 2 } }], { v_edge: 60_000 });
      expect(await store.read(key, T + 60_000)).toEqual([{ timestamp: T + 60_000, values: { x: 2 } }]);
      expect(await store.read(key, T + 120_000)).toEqual([undefined]);
    });

    it('rejects a TTL that is not a positive number of ms with ALMANAC_ERR_INPUT_INVALID, writing nothing', async () => {
      const store = await fresh();
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.write([{ view: 'v_bad_ttl', entity: 'a', timestamp: T, values: { x: 1 } }], { v_bad_ttl: ttl }), String(ttl)).rejects.toMatchObject({
          code: 'ALMANAC_ERR_INPUT_INVALID',
          details: { issues: [{ path: 'ttlMs.v_bad_ttl' }] },
        });
      }
      expect(await store.read([{ view: 'v_bad_ttl', entity: 'a' }], T)).toEqual([undefined]);
    });

    it('stores number and string values exactly', async () => {
      const store = await fresh();
      const values = { rate: 0.1 + 0.2, count: 12345678901, neg: -3.5, industry: 'retail', json: '{"a":[1,"b"]}', empty: '' };
      await store.write([{ view: 'v_types', entity: 'e|1 x', timestamp: T, values }]);
      const [got] = await store.read([{ view: 'v_types', entity: 'e|1 x' }], T);
      expect(got?.values).toEqual(values);
    });

    it('ping reads for real: an empty store (a lost snapshot, a flushed Redis) is not ready; after a write it answers', async () => {
      const store = await fresh();
      await expect(store.ping()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', message: expect.stringContaining('holds no feature rows') });
      await store.write([{ view: 'v_ping', entity: 'a', timestamp: T, values: { x: 1 } }]);
      await store.flush();
      expect(await store.ping()).toEqual(expect.any(String));
    });

    it.runIf(options.reopen !== undefined)('keeps flushed writes across close and reopen', async () => {
      const store = await fresh();
      await store.write([{ view: 'v_durable', entity: 'a', timestamp: T, values: { x: 7, s: 'y' } }], { v_durable: 3_600_000 });
      await store.flush();
      await store.close();
      open.splice(open.indexOf(store), 1);
      const again = await (options.reopen as NonNullable<OnlineStoreContractOptions['reopen']>)(store);
      open.push(again);
      expect(await again.read([{ view: 'v_durable', entity: 'a' }], T + 1000)).toEqual([{ timestamp: T, values: { x: 7, s: 'y' } }]);
      expect(await again.read([{ view: 'v_durable', entity: 'a' }], T + 3_599_999)).toEqual([{ timestamp: T, values: { x: 7, s: 'y' } }]);
      expect(await again.read([{ view: 'v_durable', entity: 'a' }], T + 3_600_000)).toEqual([undefined]);
      expect(await again.read([{ view: 'v_durable', entity: 'a' }], T + 3_600_001)).toEqual([undefined]);
    });
  });
}

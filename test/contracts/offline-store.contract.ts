/**
 * The OfflineStore contract, run against every adapter (today the Parquet/DuckDB one).
 * `make` must return a fresh, isolated, initialised store; `reopen` (optional) opens a new instance
 * over the same durable data after `close()` of the given one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FeatureRow } from '../../features/feature-view.ts';
import type { AsOfProbe, OfflineStore } from '../../features/offline-store/offline-store.ts';

export interface OfflineStoreContractOptions {
  reopen?: (closed: OfflineStore) => Promise<OfflineStore>;
}

const T = Date.UTC(2024, 4, 1, 6); // 06:00 UTC: T + 20 h is the next date partition
const H = 3_600_000;
const DAY = 86_400_000;

const row = (view: string, entity: string, timestamp: number, values: Record<string, number>): FeatureRow => ({ view, entity, timestamp, values });

async function expectInvalid(p: Promise<unknown>, path: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', status: 400, retriable: false, details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) } });
}

export function offlineStoreContract(name: string, make: () => Promise<OfflineStore>, options: OfflineStoreContractOptions = {}): void {
  describe(`OfflineStore contract: ${name}`, () => {
    const open: OfflineStore[] = [];
    const fresh = async () => {
      const s = await make();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    describe('append and scan', () => {
      it('scans rows back ordered by entity then timestamp, within [from, to), values exact', async () => {
        const store = await fresh();
        const values = { rate: 0.1 + 0.2, count: 12345678901, neg: -3.5, zero: 0 };
        const rows = [row('v', 'b', T, values), row('v', 'a', T + DAY, { count: 2 }), row('v', 'a', T, { count: 3 }), row('v', 'a|1 x', T + H, { count: 4 })];
        await store.append('v', rows);
        expect(await store.scan('v')).toEqual([rows[2], rows[1], rows[3], rows[0]]);
        expect(await store.scan('v', { from: T, to: T + H })).toEqual([rows[2], rows[0]]);
        expect(await store.scan('v', { from: T + H, to: T + DAY + 1 })).toEqual([rows[1], rows[3]]);
        expect(await store.scan('v', { from: T + 1, to: T + H })).toEqual([]);
      });

      it('keeps views apart, each row with its own value set; an unknown view scans empty', async () => {
        const store = await fresh();
        await store.append('w', [row('w', 'e', T, { p: 1 })]);
        await store.append('w', [row('w', 'f', T, { q: 2 })]);
        await store.append('z', [row('z', 'e', T, { r: 3 })]);
        expect(await store.scan('w')).toEqual([row('w', 'e', T, { p: 1 }), row('w', 'f', T, { q: 2 })]);
        expect(await store.scan('z')).toEqual([row('z', 'e', T, { r: 3 })]);
        expect(await store.scan('nothing')).toEqual([]);
        await store.append('empty', []);
        expect(await store.views()).toEqual(['w', 'z']);
      });

      it('rowStats counts one row per (entity, timestamp) across appends and dates, with the latest timestamp', async () => {
        const store = await fresh();
        expect(await store.rowStats('s')).toEqual({ rows: 0, lastTimestamp: undefined });
        await store.append('s', [row('s', 'a', T, { x: 1 }), row('s', 'b', T, { x: 1 })]);
        await store.append('s', [row('s', 'a', T, { x: 2 }), row('s', 'a', T + DAY, { x: 3 })]);
        expect(await store.rowStats('s')).toEqual({ rows: 3, lastTimestamp: T + DAY });
        await expectInvalid(store.rowStats('../x'), 'view');
      });

      it('last write wins per (entity, timestamp): across appends and within one batch', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 }), row('v', 'b', T, { x: 1 })]);
        await store.append('v', [row('v', 'a', T, { x: 1 })]);
        await store.append('v', [row('v', 'a', T, { x: 5 }), row('v', 'c', T, { x: 1 })]);
        await store.append('v', [row('v', 'd', T, { x: 1 }), row('v', 'd', T + 1, { x: 2 }), row('v', 'd', T, { x: 3 })]);
        expect(await store.scan('v')).toEqual([
          row('v', 'a', T, { x: 5 }), row('v', 'b', T, { x: 1 }), row('v', 'c', T, { x: 1 }), row('v', 'd', T, { x: 3 }), row('v', 'd', T + 1, { x: 2 }),
        ]);
      });

      it('replaceRange swaps the rows of [from, to), keeps the rest and ignores rows outside the range', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 }), row('v', 'a', T + H, { x: 2 }), row('v', 'a', T + DAY, { x: 3 }), row('v', 'a', T + 2 * DAY, { x: 4 })]);
        await store.replaceRange('v', { from: T + 1, to: T + 2 * DAY }, [row('v', 'z', T + DAY, { x: 9 }), row('v', 'out', T + 5 * DAY, { x: 1 })]);
        expect(await store.scan('v')).toEqual([row('v', 'a', T, { x: 1 }), row('v', 'a', T + 2 * DAY, { x: 4 }), row('v', 'z', T + DAY, { x: 9 })]);
        await store.replaceRange('v', { from: T + 2 * DAY, to: T + 3 * DAY }, []);
        expect(await store.scan('v')).toEqual([row('v', 'a', T, { x: 1 }), row('v', 'z', T + DAY, { x: 9 })]);
      });
    });

    describe('asOf (point-in-time join)', () => {
      const history = [
        row('v', 'a', T, { x: 1 }), row('v', 'a', T + H, { x: 2 }), row('v', 'a', T + DAY, { x: 3 }), // T + DAY: next date partition
        row('v', 'b', T + H / 2, { x: 10 }), row('v', 'b', T + 2 * H, { y: 20 }),
      ];

      it('gives the latest row at or before the probe time, per entity, never one after; results aligned with the probes', async () => {
        const store = await fresh();
        await store.append('v', history);
        const probes: AsOfProbe[] = [
          { entity: 'a', ts: T + H + 5 }, // → a@T+H
          { entity: 'a', ts: T - 1 }, // before a's first row → none
          { entity: 'b', ts: T + H }, // b's own row, not a's newer one
          { entity: 'a', ts: T }, // exactly at the row's time: counts
          { entity: 'a', ts: T + H - 1 }, // just before a@T+H → a@T
          { entity: 'a', ts: T + DAY + 1 }, // across date partitions
          { entity: 'b', ts: T + 3 * DAY }, // b's latest, whose value set differs
          { entity: 'nobody', ts: T + DAY }, // unknown entity → none
        ];
        expect(await store.asOf('v', probes, Infinity)).toEqual([history[1], undefined, history[3], history[0], history[0], history[2], history[4], undefined]);
      });

      it('applies the TTL to the latest row only: a row is used while younger than ttl (exactly ttl old is expired, as online), older gives none (no fallback to an older row)', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 }), row('v', 'a', T + 10 * H, { x: 2 })]);
        const at = (ts: number) => ({ entity: 'a', ts });
        const got = await store.asOf('v', [at(T + H / 2), at(T + H), at(T + H + 1), at(T + 11 * H - 1), at(T + 11 * H)], H);
        expect(got.map((r) => r?.values.x)).toEqual([1, undefined, undefined, 2, undefined]);
        expect((await store.asOf('v', [at(T), at(T + 1), at(T + 10 * H)], 0)).map((r) => r?.timestamp)).toEqual([undefined, undefined, undefined]);
        expect((await store.asOf('v', [at(T + H - 1)], H)).map((r) => r?.values.x)).toEqual([1]);
      });

      it('ties: equal probes get equal rows, and a rewritten (entity, timestamp) gives the last written row', async () => {
        const store = await fresh();
        await store.append('v', history);
        await store.append('v', [row('v', 'a', T + H, { x: 22 })]);
        const p = { entity: 'a', ts: T + 2 * H };
        const got = await store.asOf('v', [p, { entity: 'b', ts: T + 2 * H }, { ...p }, p], DAY);
        expect(got).toEqual([row('v', 'a', T + H, { x: 22 }), history[4], row('v', 'a', T + H, { x: 22 }), row('v', 'a', T + H, { x: 22 })]);
      });

      it('probes with no match: an unknown view, an empty probe list, rows only after the probes', async () => {
        const store = await fresh();
        await store.append('v', history);
        expect(await store.asOf('nothing', [{ entity: 'a', ts: T + DAY }, { entity: 'b', ts: T }], DAY)).toEqual([undefined, undefined]);
        expect(await store.asOf('v', [], DAY)).toEqual([]);
        expect(await store.asOf('v', [{ entity: 'a', ts: T - DAY }, { entity: 'b', ts: T }], Infinity)).toEqual([undefined, undefined]);
      });

      it('agrees with scan: for every probe, the latest scanned row at or before it within the TTL', async () => {
        const store = await fresh();
        const rows = Array.from({ length: 40 }, (_, i) => row('v', `e${i % 4}`, T + ((i * 7919) % 53) * H, { i }));
        await store.append('v', rows.slice(0, 20));
        await store.append('v', rows.slice(20));
        const probes = Array.from({ length: 60 }, (_, i) => ({ entity: `e${i % 5}`, ts: T + ((i * 104729) % 60) * H - H / 2 }));
        const ttl = 6 * H;
        const scanned = await store.scan('v');
        const expected = probes.map((p) => {
          const latest = scanned.filter((r) => r.entity === p.entity && r.timestamp <= p.ts).at(-1);
          return latest && p.ts - latest.timestamp < ttl ? latest : undefined;
        });
        expect(expected.filter(Boolean).length).toBeGreaterThan(10);
        expect(expected.filter((r) => r === undefined).length).toBeGreaterThan(5);
        expect(await store.asOf('v', probes, ttl)).toEqual(expected);
      });
    });

    it('compaction changes no answer: scan and asOf are equal before and after, and a later append still wins', async () => {
      const store = await fresh();
      for (let i = 0; i < 4; i++) await store.append('v', [row('v', 'a', T + i, { x: i }), row('v', 'b', T + DAY, { x: i }), row('v', 'a', T, { x: 10 + i })]);
      await store.append('v', [row('v', 'c', T + 2 * DAY, { x: 1 })]);
      const probes = [T - 1, T, T + 2, T + 5, T + DAY, T + 3 * DAY].flatMap((ts) => ['a', 'b', 'c'].map((entity) => ({ entity, ts })));
      const before = { all: await store.scan('v'), day: await store.scan('v', { from: T, to: T + 3 }), asOf: await store.asOf('v', probes, DAY) };
      const report = await store.compact('v');
      expect(report).toMatchObject({ view: 'v', rows: 5 });
      expect(report.partitions).toBeGreaterThan(0);
      const after = { all: await store.scan('v'), day: await store.scan('v', { from: T, to: T + 3 }), asOf: await store.asOf('v', probes, DAY) };
      expect(after).toEqual(before);
      await store.compact('v');
      expect(await store.scan('v')).toEqual(before.all);
      await store.append('v', [row('v', 'a', T, { x: 99 })]);
      expect((await store.scan('v')).find((r) => r.entity === 'a' && r.timestamp === T)?.values.x).toBe(99);
      expect((await store.asOf('v', [{ entity: 'a', ts: T }], DAY))[0]?.values.x).toBe(99);
      expect(await store.compact('nothing')).toMatchObject({ view: 'nothing', partitions: 0, rows: 0 });
    });

    describe('errors', () => {
      it('rejects a view name that is not an identifier, on every operation', async () => {
        const store = await fresh();
        const ok = [row('v', 'a', T, { x: 1 })];
        await expectInvalid(store.append('../x', ok), 'view');
        await expectInvalid(store.replaceRange('a b', { from: T, to: T + 1 }, []), 'view');
        await expectInvalid(store.scan('x;drop'), 'view');
        await expectInvalid(store.asOf('', [{ entity: 'a', ts: T }], DAY), 'view');
        await expectInvalid(store.compact('1x'), 'view');
      });

      it('rejects a bad row with the field path and writes none of its batch', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 })]);
        const good = row('v', 'b', T, { x: 2 });
        await expectInvalid(store.append('v', [good, row('w', 'c', T, { x: 1 })]), 'rows.1.view');
        await expectInvalid(store.append('v', [good, row('v', 'c', T + 0.5, { x: 1 })]), 'rows.1.timestamp');
        await expectInvalid(store.append('v', [row('v', 'c', T, { x: Number.NaN })]), 'rows.0.values.x');
        await expectInvalid(store.append('v', [row('v', 'c', T, { x: Infinity })]), 'rows.0.values.x');
        await expectInvalid(store.append('v', [row('v', 'c', T, { written_at: 1 })]), 'rows.0.values.written_at');
        await expectInvalid(store.append('v', [{ ...good, entity: 7 as unknown as string }]), 'rows.0.entity');
        await expectInvalid(store.replaceRange('v', { from: T, to: T + DAY }, [good, row('v', 'c', Number.NaN, {})]), 'rows.1.timestamp');
        expect(await store.scan('v')).toEqual([row('v', 'a', T, { x: 1 })]);
      });

      it('rejects a time range whose from is after its to, or that is not numbers', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 })]);
        await expectInvalid(store.scan('v', { from: T + 1, to: T }), 'range');
        await expectInvalid(store.scan('v', { from: Number.NaN, to: T }), 'range');
        await expectInvalid(store.replaceRange('v', { from: T + DAY, to: T }, []), 'range');
        expect(await store.scan('v')).toEqual([row('v', 'a', T, { x: 1 })]);
      });

      it('rejects a negative or missing TTL and a probe without an entity string or a time', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 })]);
        const p = { entity: 'a', ts: T };
        await expectInvalid(store.asOf('v', [p], -1), 'ttlMs');
        await expectInvalid(store.asOf('v', [p], Number.NaN), 'ttlMs');
        await expectInvalid(store.asOf('v', [p, { entity: 'a', ts: Number.NaN }], DAY), 'probes.1.ts');
        await expectInvalid(store.asOf('v', [{ entity: undefined as unknown as string, ts: T }], DAY), 'probes.0.entity');
      });

      it('fails with ALMANAC_ERR_STORE_UNAVAILABLE (not retriable) once closed', async () => {
        const store = await fresh();
        await store.append('v', [row('v', 'a', T, { x: 1 })]);
        await store.close();
        const closed = { code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: false };
        await expect(store.append('v', [row('v', 'a', T + 1, { x: 2 })])).rejects.toMatchObject(closed);
        await expect(store.scan('v')).rejects.toMatchObject(closed);
        await expect(store.asOf('v', [{ entity: 'a', ts: T }], DAY)).rejects.toMatchObject(closed);
        await expect(store.compact('v')).rejects.toMatchObject(closed);
        await expect(store.views()).rejects.toMatchObject(closed);
      });
    });

    it.runIf(options.reopen !== undefined)('keeps appended rows across close and reopen', async () => {
      const store = await fresh();
      await store.append('v', [row('v', 'a', T, { x: 7 }), row('v', 'a', T + DAY, { x: 8 })]);
      await store.close();
      open.splice(open.indexOf(store), 1);
      const again = await (options.reopen as NonNullable<OfflineStoreContractOptions['reopen']>)(store);
      open.push(again);
      expect(await again.scan('v')).toEqual([row('v', 'a', T, { x: 7 }), row('v', 'a', T + DAY, { x: 8 })]);
      expect((await again.asOf('v', [{ entity: 'a', ts: T + DAY - 1 }], DAY))[0]).toEqual(row('v', 'a', T, { x: 7 }));
      expect(await again.views()).toEqual(['v']);
    });
  });
}

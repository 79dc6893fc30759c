import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../../core/config.ts';
import type { FeatureRow } from '../../../features/feature-view.ts';
import { createOfflineStore } from '../../../features/offline-store/create-offline-store.ts';
import type { OfflineStore } from '../../../features/offline-store/offline-store.ts';
import { createParquetOfflineStore, type ParquetOfflineStore } from '../../../features/offline-store/parquet/parquet-offline-store.ts';
import { offlineStoreContract } from '../../contracts/offline-store.contract.ts';

// The contract, through the factory every caller uses (it returns the Parquet adapter, initialised).
const configs = new Map<OfflineStore, AlmanacConfig>();
async function openAt(config: AlmanacConfig): Promise<OfflineStore> {
  const store = await createOfflineStore(config);
  configs.set(store, config);
  return store;
}
offlineStoreContract('parquet', () => openAt(loadConfig({ env: {}, overrides: { home: mkdtempSync(path.join(os.tmpdir(), 'almanac-offline-')) } })), {
  reopen: (closed) => openAt(configs.get(closed) as AlmanacConfig),
});

const D = Date.UTC(2024, 0, 2);
const DAY = 86_400_000;
const row = (entity: string, timestamp: number, x: number): FeatureRow => ({ view: 'v', entity, timestamp, values: { x, y_1d: x / 2 } });

describe('ParquetOfflineStore', () => {
  let store: ParquetOfflineStore;
  afterEach(async () => store?.close());
  const open = async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-offline-'));
    store = createParquetOfflineStore(loadConfig({ env: {}, overrides: { home } }));
    await store.init();
    return home;
  };

  it('writes Parquet partitioned by date and scans rows back, ordered by entity then timestamp', async () => {
    const home = await open();
    await store.append('v', [row('b', D, 1), row('a', D + DAY, 2), row('a', D, 3)]);
    expect(readdirSync(path.join(home, 'offline', 'v')).sort()).toEqual(['date=2024-01-02', 'date=2024-01-03']);
    expect(readdirSync(path.join(home, 'offline', 'v', 'date=2024-01-02'))[0]).toMatch(/^part-[\d-]+\.parquet$/);
    expect(await store.scan('v')).toEqual([row('a', D, 3), row('a', D + DAY, 2), row('b', D, 1)]);
    expect(await store.scan('v', { from: D + DAY, to: D + 2 * DAY })).toEqual([row('a', D + DAY, 2)]);
    expect(await store.views()).toEqual(['v']);
  });

  it('is idempotent on (view, entity, timestamp): the last written wins', async () => {
    await open();
    await store.append('v', [row('a', D, 1)]);
    await store.append('v', [row('a', D, 1)]);
    await store.append('v', [row('a', D, 5), row('c', D, 1)]);
    expect(await store.scan('v')).toEqual([row('a', D, 5), row('c', D, 1)]);
  });

  it('replaceRange swaps the rows in the range and keeps the rest of the partition', async () => {
    const home = await open();
    await store.append('v', [row('a', D, 1), row('a', D + 3_600_000, 2), row('a', D + DAY, 3), row('a', D + 2 * DAY, 4)]);
    await store.replaceRange('v', { from: D + 1_000_000, to: D + 2 * DAY }, [row('z', D + DAY, 9), row('out', D + 5 * DAY, 1)]);
    expect(await store.scan('v')).toEqual([row('a', D, 1), row('a', D + 2 * DAY, 4), row('z', D + DAY, 9)]);
    const dirs = readdirSync(path.join(home, 'offline', 'v'));
    expect(dirs.every((d) => /^date=\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true);
    await store.replaceRange('v', { from: D + 2 * DAY, to: D + 3 * DAY }, []);
    expect(existsSync(path.join(home, 'offline', 'v', 'date=2024-01-04'))).toBe(false);
  });

  it('keeps columns apart per view and handles rows with different value sets', async () => {
    await open();
    await store.append('w', [{ view: 'w', entity: 'e', timestamp: D, values: { p: 1 } }]);
    await store.append('w', [{ view: 'w', entity: 'f', timestamp: D, values: { q: 2 } }]);
    expect(await store.scan('w')).toEqual([
      { view: 'w', entity: 'e', timestamp: D, values: { p: 1 } },
      { view: 'w', entity: 'f', timestamp: D, values: { q: 2 } },
    ]);
    expect(await store.scan('nothing')).toEqual([]);
  });

  it('compact merges each partition into one file; scans are unchanged and a later append still wins', async () => {
    const home = await open();
    for (let i = 0; i < 4; i++) await store.append('v', [row('a', D + i, i), row('b', D + DAY, i), row('a', D, 10 + i)]);
    await store.append('v', [row('c', D + 2 * DAY, 1)]); // a partition with one file: left alone
    const before = await store.scan('v');
    const report = await store.compact('v');
    expect(report).toEqual({ view: 'v', partitions: 2, filesBefore: 9, filesAfter: 3, rows: 5 });
    const dir = (d: string) => readdirSync(path.join(home, 'offline', 'v', `date=${d}`));
    expect(dir('2024-01-02')).toHaveLength(1);
    expect(dir('2024-01-02')[0]).toMatch(/^part-\d+-c\.parquet$/);
    expect(await store.scan('v')).toEqual(before);
    await store.append('v', [row('a', D, 99)]);
    expect((await store.scan('v')).find((r) => r.entity === 'a' && r.timestamp === D)?.values.x).toBe(99);
    expect(await store.compact('v', { minFiles: 5 })).toMatchObject({ partitions: 0, filesBefore: 4, filesAfter: 4 });
    expect(readdirSync(path.join(home, 'offline', 'v')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a crash between writing the merged file and removing its inputs loses nothing and the next compact finishes', async () => {
    const home = await open();
    for (let i = 0; i < 3; i++) await store.append('v', [row('a', D, i), row(`e${i}`, D + i, i)]);
    const dateDir = path.join(home, 'offline', 'v', 'date=2024-01-02');
    const inputs = readdirSync(dateDir);
    const saved = mkdtempSync(path.join(os.tmpdir(), 'almanac-parts-'));
    for (const f of inputs) copyFileSync(path.join(dateDir, f), path.join(saved, f));
    const before = await store.scan('v');
    await store.compact('v');
    for (const f of inputs) copyFileSync(path.join(saved, f), path.join(dateDir, f)); // the unlinks never happened
    expect(readdirSync(dateDir)).toHaveLength(4);
    expect(await store.scan('v')).toEqual(before);
    await store.compact('v');
    expect(readdirSync(dateDir)).toHaveLength(1);
    expect(await store.scan('v')).toEqual(before);
  });

  it('a point-in-time join with a TTL reads only the date partitions the TTL reaches, and finds rows across a date boundary', async () => {
    const home = await open();
    const H = 3_600_000;
    await store.append('v', [row('a', D, 1), row('a', D + 5 * DAY + 23 * H, 2), row('b', D + 6 * DAY + 2 * H, 3)]);
    // the first day's file is no Parquet now: a join that read it would fail
    const old = path.join(home, 'offline', 'v', 'date=2024-01-02');
    writeFileSync(path.join(old, readdirSync(old)[0] as string), 'not parquet');
    const got = await store.asOf('v', [{ entity: 'a', ts: D + 6 * DAY + H }, { entity: 'b', ts: D + 6 * DAY + 3 * H }, { entity: 'a', ts: D + 7 * DAY }], 3 * H);
    expect(got.map((r) => r?.values.x)).toEqual([2, 3, undefined]);
    await expect(store.asOf('v', [{ entity: 'a', ts: D + H }], 3 * H)).rejects.toThrow();
    await expect(store.asOf('v', [{ entity: 'a', ts: D + 6 * DAY }], Infinity)).rejects.toThrow();
  });

  it('rejects a view name that is not an identifier', async () => {
    await open();
    await expect(store.append('../x', [row('a', D, 1)])).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});

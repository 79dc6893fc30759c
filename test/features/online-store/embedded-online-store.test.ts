import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { createEmbeddedOnlineStore } from '../../../features/online-store/embedded/embedded-online-store.ts';
import type { OnlineStore } from '../../../features/online-store/online-store.ts';
import { onlineStoreContract } from '../../contracts/online-store.contract.ts';

const dirs = new Map<OnlineStore, string>();
const config = loadConfig({ env: {}, overrides: { home: os.tmpdir() } });

async function openAt(dir: string): Promise<OnlineStore> {
  const store = createEmbeddedOnlineStore(config, dir);
  await store.init();
  dirs.set(store, dir);
  return store;
}

onlineStoreContract('embedded', () => openAt(mkdtempSync(path.join(os.tmpdir(), 'almanac-online-'))), {
  reopen: (closed) => openAt(dirs.get(closed) as string),
});

it('fails with a retriable-false store error naming the fix when the snapshot is corrupt', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-online-'));
  writeFileSync(path.join(dir, 'snapshot.json'), '{not json');
  await expect(openAt(dir)).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: false });
});

it('a serving process picks up rows another process flushed, without a restart (newest wins)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'almanac-online-'));
  const writer = createEmbeddedOnlineStore(config, dir);
  const reader = createEmbeddedOnlineStore(config, dir, 0);
  await writer.init();
  await reader.init();
  const key = { view: 'client_activity', entity: 'c1' };
  expect(await reader.read([key], 0)).toEqual([undefined]);
  await writer.write([{ ...key, timestamp: 2_000, values: { touches_1d: 5 } }]);
  await writer.flush();
  expect(await reader.read([key], 0)).toEqual([{ timestamp: 2_000, values: { touches_1d: 5 } }]);
  // A newer value the reader already holds is not replaced by an older snapshot row.
  await reader.write([{ ...key, timestamp: 3_000, values: { touches_1d: 7 } }]);
  await writer.write([{ ...key, timestamp: 2_500, values: { touches_1d: 6 } }]);
  await writer.flush();
  expect(await reader.read([key], 0)).toEqual([{ timestamp: 3_000, values: { touches_1d: 7 } }]);
});

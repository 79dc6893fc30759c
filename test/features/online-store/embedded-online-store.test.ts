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

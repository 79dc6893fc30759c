import { appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';
import { createEmbeddedTenantStore, type EmbeddedTenantStore } from '../../../core/tenants/embedded/embedded-tenant-store.ts';
import { tenantStoreContract } from '../../contracts/tenant-store.contract.ts';

const configFor = (home: string) => loadConfig({ env: {}, overrides: { home, eventLog: { fsync: 'none' } } });
const fresh = async (): Promise<EmbeddedTenantStore> => {
  const s = createEmbeddedTenantStore(configFor(mkdtempSync(path.join(os.tmpdir(), 'almanac-tenants-'))));
  await s.init();
  return s;
};

tenantStoreContract('embedded', fresh, {
  twin: async (of) => {
    const t = createEmbeddedTenantStore(configFor(path.dirname(path.dirname((of as EmbeddedTenantStore).file))));
    await t.init();
    return t;
  },
});

describe('embedded tenant store file', () => {
  it('ignores a torn last line and keeps every complete one', async () => {
    const s = await fresh();
    await s.registerClient('acme', 'x');
    appendFileSync(s.file, '{"op":"client","client_id":"half');
    const t = createEmbeddedTenantStore(configFor(path.dirname(path.dirname(s.file))));
    await t.init();
    expect([...(await t.registeredClients(['acme', 'half']))]).toEqual(['acme']);
  });
});

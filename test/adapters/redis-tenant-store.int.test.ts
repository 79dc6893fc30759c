/** The TenantStore contract on a real Redis (REDIS_URL; CI requires it), each store under its own prefix. */
import { afterAll } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createRedisTenantStore } from '../../core/tenants/redis/redis-tenant-store.ts';
import type { TenantStore } from '../../core/tenants/tenant-store.ts';
import { tenantStoreContract } from '../contracts/tenant-store.contract.ts';
import { engineUrl, withoutEngine } from '../real-engines.ts';

const url = engineUrl('redis');
const prefixes = new Map<TenantStore, string>();
let n = 0;

async function open(prefix: string): Promise<TenantStore> {
  const store = createRedisTenantStore(loadConfig({ env: {}, overrides: { tenants: { adapter: 'redis', redis: { url: url!, keyPrefix: prefix } } } }));
  await store.init();
  prefixes.set(store, prefix);
  return store;
}

if (url) {
  afterAll(async () => {
    // remove this run's keys
    const { Redis } = await import('ioredis');
    const r = new Redis(url);
    for (const prefix of new Set(prefixes.values())) {
      const keys = await r.keys(`${prefix}*`);
      if (keys.length > 0) await r.del(...keys);
    }
    await r.quit();
  });
  tenantStoreContract('redis', () => open(`test-tenants:${process.pid}:${Date.now()}:${n++}:`), { twin: (of) => open(prefixes.get(of)!) });
} else {
  withoutEngine('TenantStore contract: redis', 'redis');
}

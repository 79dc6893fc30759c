import type { AlmanacConfig } from '../config.ts';
import type { TenantStore } from './tenant-store.ts';

/** Picks the TenantStore adapter by `config.tenants.adapter`; ioredis loads only for 'redis'. */
export async function createTenantStore(config: AlmanacConfig): Promise<TenantStore> {
  switch (config.tenants.adapter) {
    case 'embedded':
      return (await import('./embedded/embedded-tenant-store.ts')).createEmbeddedTenantStore(config);
    case 'redis':
      return (await import('./redis/redis-tenant-store.ts')).createRedisTenantStore(config);
  }
}

/** Opens the configured store, runs `f`, closes it. */
export async function withTenantStore<T>(config: AlmanacConfig, f: (store: TenantStore) => Promise<T>): Promise<T> {
  const store = await createTenantStore(config);
  await store.init();
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/**
 * The registered client ids (for the pattern miner's k-anonymity: only registered clients count).
 * @throws ALMANAC_ERR_STORE_UNAVAILABLE
 */
export async function registeredClients(config: AlmanacConfig): Promise<Set<string>> {
  return withTenantStore(config, async (store) => new Set((await store.listClients()).map((c) => c.client_id)));
}

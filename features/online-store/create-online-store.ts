import type { AlmanacConfig } from '../../core/config.ts';
import type { OnlineStore } from './online-store.ts';

/** Picks the OnlineStore adapter by `config.onlineStore.adapter`; server SDKs load lazily. */
export async function createOnlineStore(config: AlmanacConfig): Promise<OnlineStore> {
  switch (config.onlineStore.adapter) {
    case 'embedded':
      return (await import('./embedded/embedded-online-store.ts')).createEmbeddedOnlineStore(config);
    case 'redis':
      return (await import('./redis/redis-online-store.ts')).createRedisOnlineStore(config);
  }
}

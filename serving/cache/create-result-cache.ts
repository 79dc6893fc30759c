import type { AlmanacConfig } from '../../core/config.ts';
import type { ResultCache } from './result-cache.ts';

/** Picks the ResultCache adapter by `config.cache.adapter`; server SDKs load lazily. */
export async function createResultCache(config: AlmanacConfig): Promise<ResultCache> {
  switch (config.cache.adapter) {
    case 'embedded':
      return (await import('./embedded/embedded-result-cache.ts')).createEmbeddedResultCache(config);
    case 'redis':
      return (await import('./redis/redis-result-cache.ts')).createRedisResultCache(config);
  }
}

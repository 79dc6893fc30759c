/**
 * Redis adapter of the ResultCache port: GET / SET PX under `config.cache.redis.keyPrefix`.
 * Shares the bounded-failure connection of the online store (no offline queue, command
 * timeout, background reconnect); failures are ALMANAC_ERR_STORE_UNAVAILABLE (retriable) so
 * serving can treat the cache as optional and compute the result instead.
 */
import type { AlmanacConfig } from '../../../core/config.ts';
import { invalidInput } from '../../../core/errors.ts';
import {
  closeRedis,
  connectRedis,
  openRedis,
  pingRedis,
  redisError,
  type RedisClient,
} from '../../../core/redis-connection.ts';
import type { ResultCache } from '../result-cache.ts';

const NAME = 'redis result cache';

export interface RedisResultCacheOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Builds the Redis result cache from `config.cache.redis` (url, cluster, keyPrefix). */
export function createRedisResultCache(config: AlmanacConfig, options: RedisResultCacheOptions = {}): ResultCache {
  const { url, cluster, keyPrefix } = config.cache.redis;
  if (!url) throw redisError(new Error('no URL configured: set REDIS_URL=redis://host:6379'), NAME, 'configure');
  const client = openRedis({ url, cluster, name: NAME, ...options });
  client.on('error', () => {
    /* surfaced per command; the client reconnects by itself */
  });
  return new RedisResultCache(client, keyPrefix);
}

class RedisResultCache implements ResultCache {
  readonly kind = 'redis';

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async init(): Promise<void> {
    await connectRedis(this.client, NAME);
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.client.get(this.prefix + key)) ?? undefined;
    } catch (err) {
      throw redisError(err, NAME, 'get');
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
      throw invalidInput(`cache ttl must be a positive number of ms, got ${ttlMs}`, [{ path: 'ttlMs', reason: 'must be > 0' }]);
    }
    try {
      await this.client.set(this.prefix + key, value, 'PX', Math.ceil(ttlMs));
    } catch (err) {
      throw redisError(err, NAME, 'set');
    }
  }

  async ping(): Promise<boolean> {
    return pingRedis(this.client);
  }
}

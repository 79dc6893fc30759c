/**
 * One way to open ioredis connections for every Redis adapter (online store, result cache), with
 * bounded failure: commands never queue while disconnected (enableOfflineQueue false → they fail
 * at once), a command that gets no answer fails after `commandTimeoutMs`, and the client keeps
 * reconnecting in the background so the adapter recovers by itself when Redis is back.
 *
 * Every command is auto-pipelined (enableAutoPipelining): the commands issued in one event-loop
 * turn travel in one round trip per node. That is how batches stay one round trip, and in
 * cluster mode ioredis groups them by the node owning each key's slot, so a batch whose keys
 * span slots needs no hash tags (we use none: one key per (view, entity) spreads load evenly).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { AlmanacError } from './errors.ts';

export interface RedisConnectionOptions {
  url: string;
  cluster?: boolean;
  /** A command with no reply after this many ms fails (default 1000). */
  commandTimeoutMs?: number;
  /** Socket connect timeout in ms (default 2000). */
  connectTimeoutMs?: number;
  /** Used in error messages and details ('redis online store'). */
  name: string;
}

export type RedisClient = Redis | Cluster;

/** Reconnect backoff: 50 ms, 100 ms, … capped at 1 s; never gives up. */
const reconnectDelay = (times: number): number => Math.min(50 * times, 1000);

/** Opens a client lazily (no socket until `connectRedis`). */
export function openRedis(options: RedisConnectionOptions): RedisClient {
  const base: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: reconnectDelay,
  };
  if (!options.cluster) return new Redis(options.url, base);
  // Cluster seeds: REDIS_URL=redis://[user:pass@]host1:7000,host2:7001 (credentials from the first one).
  const urls = options.url.split(',').map((u) => new URL(u.includes('://') ? u : `redis://${u}`));
  const seeds = urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) }));
  const first = urls[0]!;
  const clusterOptions: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: reconnectDelay,
    redisOptions: {
      ...base,
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
    },
  };
  return new Cluster(seeds, clusterOptions);
}

/** Connects (if not yet) and checks the server answers. @throws ALMANAC_ERR_STORE_UNAVAILABLE */
export async function connectRedis(client: RedisClient, name: string): Promise<void> {
  try {
    if (client.status === 'wait') await client.connect();
    await client.ping();
  } catch (err) {
    throw redisError(err, name, 'connect');
  }
}

/** Quits politely, or drops the socket when the server is gone. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end' || client.status === 'wait') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** Redis reply errors that mean "try again later", not "your command is wrong". */
const TRANSIENT_REPLIES = ['LOADING', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'MASTERDOWN', 'OOM', 'READONLY', 'NOREPLICAS', 'MOVED', 'ASK'];

/**
 * Maps whatever ioredis threw to an AlmanacError: connection problems, timeouts and transient
 * server states → ALMANAC_ERR_STORE_UNAVAILABLE (retriable); other reply errors (WRONGTYPE, a
 * script error) → ALMANAC_ERR_INTERNAL.
 */
export function redisError(err: unknown, name: string, operation: string): AlmanacError {
  if (err instanceof AlmanacError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const isReply = err instanceof Error && err.name === 'ReplyError';
  const transient = !isReply || TRANSIENT_REPLIES.some((p) => message.startsWith(p));
  const details = { dependency: 'redis', adapter: name, operation };
  if (transient) {
    return new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `${name} unavailable during ${operation}: ${message}`, { details, cause: err });
  }
  return new AlmanacError('ALMANAC_ERR_INTERNAL', `${name} rejected ${operation}: ${message}`, { details, cause: err });
}

/** Liveness probe that never throws and never waits longer than the command timeout. */
export async function pingRedis(client: RedisClient): Promise<boolean> {
  if (client.status !== 'ready') return false;
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

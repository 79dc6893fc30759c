/**
 * Redis adapter of the OnlineStore port (ioredis). One hash per (view, entity) at
 * `<prefix>f:<view>:<entity>` holding `_ts`, `_exp` (when the view has a TTL) and the features.
 *
 * - Newest timestamp wins: every row goes through one Lua script (EVALSHA, falling back to EVAL
 *   when the script cache is empty, e.g. after a restart) that compares `_ts` and replaces the
 *   hash only when the incoming row is not older. Replays and out-of-order writes change nothing.
 * - TTL: `_exp = timestamp + ttl` decides what is served (a read at `now` ≥ `_exp` is a miss: the
 *   one rule of ../online-expiry.ts, shared with the embedded store); the key is also given PEXPIREAT max(_exp, wall clock + ttl)
 *   so Redis reclaims it without ever dropping a row a point-in-time read could still see.
 * - Batches: all commands of a batch are issued in one event-loop turn and auto-pipelined
 *   (one round trip per node; in cluster mode ioredis groups by slot owner).
 * - Failures: no offline queue, a bounded command timeout; connection problems surface as
 *   ALMANAC_ERR_STORE_UNAVAILABLE (retriable). The adapter keeps no replay buffer of its own: a
 *   write resolves only once Redis has acknowledged every row, so a caller that retries a failed
 *   batch (the stream job commits its offsets only after `write` resolved) loses nothing, and
 *   the newest-wins script makes the retry idempotent. A buffer inside the adapter would be lost
 *   with the process and would break "durable when resolved".
 * - Durability across a Redis crash is Redis's: run it with AOF (appendonly yes; appendfsync
 *   always for no loss, everysec for ≤ 1 s) — deploy/compose.yaml does.
 */
import type { AlmanacConfig } from '../../../core/config.ts';
import type { FeatureRow } from '../../feature-view.ts';
import type { OnlineKey, OnlineStore, OnlineStoreCapability, OnlineValue } from '../online-store.ts';
import { checkRow, decodeRow, EXP_FIELD, encodeFields, onlineKey, TS_FIELD } from './online-row-codec.ts';
import { checkTtls, expiresAt } from '../online-expiry.ts';
import { AlmanacError, unsupported } from '../../../core/errors.ts';
import { closeRedis, connectRedis, openRedis, redisError, type RedisClient } from '../../../core/redis-connection.ts';

const NAME = 'redis online store';

/** KEYS[1] row hash; ARGV: ts, expire-at ('' = none), physical PEXPIREAT ('' = none), field, value, … */
const UPSERT_NEWEST = `
local cur = redis.call('HGET', KEYS[1], '${TS_FIELD}')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '${TS_FIELD}', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], '${EXP_FIELD}', ARGV[2]) end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
return 1
`;

interface UpsertCommand {
  almanacUpsertNewest(key: string, ...args: string[]): Promise<number>;
}

export interface RedisOnlineStoreOptions {
  /** Per-command timeout in ms (default 1000). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Builds the Redis online store from `config.onlineStore.redis` (url, cluster, keyPrefix). */
export function createRedisOnlineStore(config: AlmanacConfig, options: RedisOnlineStoreOptions = {}): OnlineStore {
  const { url, cluster, keyPrefix } = config.onlineStore.redis;
  if (!url) throw redisError(new Error('no URL configured: set REDIS_URL=redis://host:6379'), NAME, 'configure');
  const client = openRedis({ url, cluster, name: NAME, ...options });
  client.defineCommand('almanacUpsertNewest', { numberOfKeys: 1, lua: UPSERT_NEWEST });
  client.on('error', () => {
    /* surfaced per command as STORE_UNAVAILABLE; the client reconnects by itself */
  });
  return new RedisOnlineStore(client, keyPrefix);
}

class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis';
  readonly capabilities: ReadonlySet<OnlineStoreCapability> = new Set<OnlineStoreCapability>(['ttl']);

  /** `<prefix>written`: the wall time of the last write; its absence means the store holds nothing of ours. */
  private readonly markerKey: string;

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {
    this.markerKey = `${prefix}written`;
  }

  async init(): Promise<void> {
    await connectRedis(this.client, NAME);
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }

  async write(rows: (FeatureRow | (OnlineKey & OnlineValue))[], ttlMs: Record<string, number> = {}): Promise<void> {
    rows.forEach((row, i) => checkRow(row, i));
    checkTtls(ttlMs);
    const wallNow = Date.now();
    const upsert = this.client as unknown as UpsertCommand;
    const results = await Promise.allSettled<unknown>([
      ...rows.map((row) => {
        const ttl = ttlMs[row.view];
        const exp = ttl === undefined ? '' : String(expiresAt(row.timestamp, ttl));
        const reclaimAt = ttl === undefined ? '' : String(Math.max(expiresAt(row.timestamp, ttl), wallNow + ttl));
        return upsert.almanacUpsertNewest(onlineKey(this.prefix, row), String(row.timestamp), exp, reclaimAt, ...encodeFields(row.values));
      }),
      // same event-loop turn: pipelined with the rows
      ...(rows.length > 0 ? [this.client.set(this.markerKey, String(wallNow))] : []),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const err = redisError(failed.reason, NAME, 'write');
      err.details.failedRows = results.slice(0, rows.length).filter((r) => r.status === 'rejected').length;
      err.details.rows = rows.length;
      throw err;
    }
  }

  async read(keys: OnlineKey[], now: number = Date.now()): Promise<(OnlineValue | undefined)[]> {
    try {
      const hashes = await Promise.all(keys.map((k) => this.client.hgetall(onlineKey(this.prefix, k))));
      return hashes.map((h) => decodeRow(h, now));
    } catch (err) {
      throw redisError(err, NAME, 'read');
    }
  }

  /** Every resolved write is already acknowledged by Redis; durability beyond that is Redis's AOF. */
  async flush(): Promise<void> {}

  async rowCounts(): Promise<Record<string, number>> {
    throw unsupported('redis', 'row_counts (counting rows would scan the whole keyspace)');
  }

  async ping(): Promise<string> {
    let written: string | null;
    try {
      written = await this.client.get(this.markerKey);
    } catch (err) {
      throw redisError(err, NAME, 'ping');
    }
    if (written === null && (await this.holdsRows())) {
      // rows written before the marker existed (an upgraded store): restore it, the store is up
      await this.client.set(this.markerKey, String(Date.now())).catch(() => undefined);
      return 'holds feature rows (marker restored)';
    }
    if (written === null) {
      throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `the ${NAME} holds no feature rows (key ${this.markerKey} is absent: never written, flushed or evicted): every client and campaign would be unknown; run \`almanac features materialize\` (or the stream job) to rebuild it`, {
        retriable: false, details: { dependency: 'redis', adapter: NAME, operation: 'ping' },
      });
    }
    return `last written ${new Date(Number(written)).toISOString()}`;
  }

  /** Whether a feature-row key of ours exists: a few bounded SCAN steps on each master (≤ 10,000 keys looked at per node). */
  private async holdsRows(): Promise<boolean> {
    const c = this.client as unknown as { nodes?: (role: 'master') => { scan: RedisScan }[]; scan: RedisScan };
    const nodes = typeof c.nodes === 'function' ? c.nodes('master') : [c];
    try {
      for (const node of nodes) {
        let cursor = '0';
        for (let step = 0; step < 10; step++) {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${this.prefix}f:*`, 'COUNT', 1000);
          if (keys.length > 0) return true;
          cursor = next;
          if (cursor === '0') break;
        }
      }
    } catch (err) {
      throw redisError(err, NAME, 'ping');
    }
    return false;
  }
}

type RedisScan = (cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number) => Promise<[string, string[]]>;

/**
 * Redis adapter of the TenantStore port, so that several API replicas share tenants and keys.
 * Layout under the configured prefix (default `almanac:tenants:`):
 * - `client:<id>` — the ClientRecord (JSON), created with SET NX (first registration wins);
 *   `clients` — a set of every client id (for listing).
 * - `key:<id>` — a hash: `record` (JSON), `revoked_at`, `last_used_at`; `keys` — a set of key ids.
 * - `campaign:<id>` — the owning client id, SET NX: the first claim wins, forever.
 * Commands of a call are issued in one turn and auto-pipelined (core/redis-connection.ts).
 */
import type { AlmanacConfig } from '../../config.ts';
import { AlmanacError } from '../../errors.ts';
import { closeRedis, connectRedis, openRedis, pingRedis, redisError, type RedisClient } from '../../redis-connection.ts';
import { apiKeyRecordSchema, type ApiKeyRecord } from '../api-key.ts';
import type { ClientRecord, TenantStore } from '../tenant-store.ts';

const NAME = 'redis tenant store';

export class RedisTenantStore implements TenantStore {
  readonly kind = 'redis';

  constructor(private readonly client: RedisClient, private readonly prefix: string) {}

  async init(): Promise<void> {
    await connectRedis(this.client, NAME);
  }

  async close(): Promise<void> {
    await closeRedis(this.client);
  }

  ping(): Promise<boolean> {
    return pingRedis(this.client);
  }

  async registerClient(clientId: string, by: string, at = Date.now()): Promise<boolean> {
    const record: ClientRecord = { client_id: clientId, created_at: at, created_by: by };
    return this.run('register client', async () => {
      const [set] = await Promise.all([
        this.client.set(`${this.prefix}client:${clientId}`, JSON.stringify(record), 'NX'),
        this.client.sadd(`${this.prefix}clients`, clientId),
      ]);
      return set === 'OK';
    });
  }

  async registeredClients(clientIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(clientIds)];
    if (ids.length === 0) return new Set();
    return this.run('read clients', async () => {
      const found = await Promise.all(ids.map((id) => this.client.exists(`${this.prefix}client:${id}`)));
      return new Set(ids.filter((_, i) => found[i] === 1));
    });
  }

  async listClients(): Promise<ClientRecord[]> {
    return this.run('list clients', async () => {
      const ids = (await this.client.smembers(`${this.prefix}clients`)).sort();
      const values = await Promise.all(ids.map((id) => this.client.get(`${this.prefix}client:${id}`)));
      return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as ClientRecord]));
    });
  }

  async putKey(record: ApiKeyRecord): Promise<void> {
    const key = `${this.prefix}key:${record.id}`;
    const created = await this.run('put key', () => this.client.hsetnx(key, 'record', JSON.stringify(record)));
    if (created !== 1) throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `key id '${record.id}' exists`, { details: { id: record.id } });
    await this.run('put key', () => this.client.sadd(`${this.prefix}keys`, record.id));
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const h = await this.run('get key', () => this.client.hgetall(`${this.prefix}key:${id}`));
    return decodeKey(h);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return this.run('list keys', async () => {
      const ids = await this.client.smembers(`${this.prefix}keys`);
      const hashes = await Promise.all(ids.map((id) => this.client.hgetall(`${this.prefix}key:${id}`)));
      return hashes.flatMap((h) => decodeKey(h) ?? []).sort((a, b) => a.created_at - b.created_at);
    });
  }

  async revokeKey(id: string, at = Date.now()): Promise<boolean> {
    const key = `${this.prefix}key:${id}`;
    return this.run('revoke key', async () => {
      if ((await this.client.hexists(key, 'record')) !== 1) return false;
      await this.client.hsetnx(key, 'revoked_at', String(at));
      return true;
    });
  }

  async touchKey(id: string, at: number): Promise<void> {
    await this.run('touch key', () => this.client.hset(`${this.prefix}key:${id}`, 'last_used_at', String(at)));
  }

  async claimCampaigns(clientId: string, campaignIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(campaignIds)];
    await this.run('claim campaigns', () => Promise.all(ids.map((id) => this.client.set(`${this.prefix}campaign:${id}`, clientId, 'NX'))));
    return this.campaignOwners(ids);
  }

  async campaignOwners(campaignIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(campaignIds)];
    if (ids.length === 0) return new Map();
    const owners = await this.run('read campaign owners', () => Promise.all(ids.map((id) => this.client.get(`${this.prefix}campaign:${id}`))));
    const out = new Map<string, string>();
    ids.forEach((id, i) => {
      const owner = owners[i];
      if (owner !== null && owner !== undefined) out.set(id, owner);
    });
    return out;
  }

  private async run<T>(operation: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw redisError(e, NAME, operation);
    }
  }
}

function decodeKey(h: Record<string, string>): ApiKeyRecord | undefined {
  if (h.record === undefined) return undefined;
  const record = apiKeyRecordSchema.parse(JSON.parse(h.record));
  if (h.revoked_at !== undefined) record.revoked_at = Number(h.revoked_at);
  if (h.last_used_at !== undefined) record.last_used_at = Math.max(record.last_used_at ?? 0, Number(h.last_used_at));
  return record;
}

export function createRedisTenantStore(config: AlmanacConfig): RedisTenantStore {
  const r = config.tenants.redis;
  if (!r.url) throw new AlmanacError('ALMANAC_ERR_CONFIG_MISSING_URL', 'ALMANAC_TENANTS=redis needs a URL: set REDIS_URL=redis://host:6379', { details: { path: 'tenants.redis.url' } });
  return new RedisTenantStore(openRedis({ url: r.url, cluster: r.cluster, name: NAME }), r.keyPrefix);
}

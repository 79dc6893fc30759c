/**
 * The OnlineStore contract on a real 3-master Redis Cluster (three private redis-servers joined
 * with `redis-cli --cluster create`): batches whose keys span slots and nodes are auto-pipelined
 * per node by ioredis, and the newest-wins script runs per key.
 */
import { spawnSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import type { OnlineStore } from '../../features/online-store/online-store.ts';
import { createRedisOnlineStore } from '../../features/online-store/redis/redis-online-store.ts';
import type { ResultCache } from '../../serving/cache/result-cache.ts';
import { createRedisResultCache } from '../../serving/cache/redis/redis-result-cache.ts';
import { onlineStoreContract } from '../contracts/online-store.contract.ts';
import { hasRedisBinary, PrivateRedis } from './private-redis.ts';

const available = hasRedisBinary() && spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;
if (!available) console.warn('\n*** SKIPPING redis cluster tests: they need redis-server and redis-cli (apt-get install redis-server) ***\n');

const nodes: PrivateRedis[] = [];
const stores: (OnlineStore | ResultCache)[] = [];
const prefixes = new Map<OnlineStore, string>();
let n = 0;
const seeds = () => nodes.map((s) => `redis://127.0.0.1:${s.port}`).join(',');

async function clusterStore(prefix = `cl${process.pid}-${n++}:`): Promise<OnlineStore> {
  const config = loadConfig({ env: {}, overrides: { onlineStore: { adapter: 'redis', redis: { url: seeds(), cluster: true, keyPrefix: prefix } } } });
  const store = createRedisOnlineStore(config);
  await store.init();
  stores.push(store);
  prefixes.set(store, prefix);
  return store;
}

async function waitClusterOk(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
    if (out.includes('cluster_state:ok')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('redis cluster did not reach cluster_state:ok');
}

beforeAll(async () => {
  if (!available) return;
  for (let i = 0; i < 3; i++) nodes.push(await PrivateRedis.start({ cluster: true }));
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr}${create.stdout}`);
  for (const s of nodes) await waitClusterOk(s.port);
});
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const s of nodes) await s.dispose();
});

if (available) onlineStoreContract('redis cluster', () => clusterStore(), { reopen: (closed) => clusterStore(prefixes.get(closed)) });

describe.skipIf(!available)('redis online store in cluster mode', () => {
  it('writes and reads one batch whose keys live on every node', async () => {
    const prefix = `spread${process.pid}:`;
    const store = await clusterStore(prefix);
    const rows = Array.from({ length: 600 }, (_, i) => ({ view: 'v', entity: `e${i}`, timestamp: i, values: { i } }));
    await store.write(rows);
    await store.write(rows.map((r) => ({ ...r, timestamp: r.timestamp - 1, values: { i: -1 } })));
    const got = await store.read(rows.map(({ view, entity }) => ({ view, entity })));
    expect(got.map((g) => g?.values.i)).toEqual(rows.map((r) => r.values.i));

    const probe = new Cluster(nodes.map((s) => ({ host: '127.0.0.1', port: s.port })));
    try {
      await probe.ping();
      const owners = new Set(rows.map((r) => probe.slots[calculateSlot(`${prefix}f:v:${r.entity}`)]?.[0]));
      expect(owners.size).toBe(3);
    } finally {
      probe.disconnect();
    }
  });
});

describe.skipIf(!available)('redis result cache in cluster mode (cache.redis.cluster)', () => {
  it('sets and gets keys that live on every node, with their ttl', async () => {
    const prefix = `cache${process.pid}:`;
    const config = loadConfig({ env: {}, overrides: { cache: { adapter: 'redis', redis: { url: seeds(), cluster: true, keyPrefix: prefix } } } });
    const cache = createRedisResultCache(config);
    await cache.init();
    stores.push(cache);
    const keys = Array.from({ length: 200 }, (_, i) => `predict:${i}`);
    await Promise.all(keys.map((k, i) => cache.set(k, JSON.stringify({ i }), 60_000)));
    expect(await Promise.all(keys.map((k) => cache.get(k)))).toEqual(keys.map((_, i) => JSON.stringify({ i })));
    expect(await cache.get('predict:absent')).toBeUndefined();
    const probe = new Cluster(nodes.map((s) => ({ host: '127.0.0.1', port: s.port })));
    try {
      await probe.ping();
      expect(new Set(keys.map((k) => probe.slots[calculateSlot(`${prefix}${k}`)]?.[0])).size).toBe(3);
      expect(await probe.pttl(`${prefix}${keys[0]}`)).toBeGreaterThan(50_000);
    } finally {
      probe.disconnect();
    }
  });
});

/** CRC16/XMODEM mod 16384 (Redis Cluster's key slot; no hash tags in our keys). */
function calculateSlot(key: string): number {
  let crc = 0;
  for (const byte of Buffer.from(key, 'utf8')) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

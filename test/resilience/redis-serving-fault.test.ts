/**
 * (c) The REST service on a real Redis (online store + result cache) that is killed and restarted:
 * the service stays up, serves degraded answers (aggregates missing) during the outage, reports
 * /health/ready 503 naming the online store, and recovers by itself once Redis is back.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createRedisOnlineStore } from '../../features/online-store/redis/redis-online-store.ts';
import type { OnlineStore } from '../../features/online-store/online-store.ts';
import { buildApp } from '../../serving/app.ts';
import { createRedisResultCache } from '../../serving/cache/redis/redis-result-cache.ts';
import { hasRedisBinary, PrivateRedis } from '../adapters/private-redis.ts';
import { fakeDeps, PLAN } from '../serving/serving-fakes.ts';
import { bearer, type TestKeys } from '../serving/auth-keys.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plan = (i: number) => ({ ...PLAN, budget: 1000 + i });

if (!hasRedisBinary()) console.warn('\n*** SKIPPING redis serving fault test: it needs the redis-server binary (apt-get install redis-server) ***\n');

describe.skipIf(!hasRedisBinary())('serving on a Redis that crashes and comes back', () => {
  let redis: PrivateRedis;
  let app: FastifyInstance;
  let store: OnlineStore;
  let keys: TestKeys;

  beforeAll(async () => {
    redis = await PrivateRedis.start({ durable: true });
    const config = loadConfig({ env: {}, overrides: { onlineStore: { adapter: 'redis', redis: { url: redis.url } }, cache: { adapter: 'redis', redis: { url: redis.url } } } });
    store = createRedisOnlineStore(config, { commandTimeoutMs: 200, connectTimeoutMs: 200 });
    const cache = createRedisResultCache(config, { commandTimeoutMs: 200, connectTimeoutMs: 200 });
    await Promise.all([store.init(), cache.init()]);
    await store.write([{ view: 'client_activity', entity: 'c1', timestamp: 1, values: { rate: 0.01 } }]);
    // Generous per-dependency timeouts: a loaded CI machine must not turn a slow answer into a fallback.
    const home = mkdtempSync(path.join(os.tmpdir(), 'almanac-serve-redis-'));
    const servingConfig = loadConfig({ env: {}, overrides: { home, logLevel: 'silent', serving: { reloadIntervalMs: 60_000, timeouts: { onlineStore: 1000, cache: 500, graph: 50, vector: 200 } } } });
    const world = await fakeDeps({ onlineStore: store, cache, config: servingConfig });
    app = await buildApp(world.deps, { poll: false });
    keys = world.keys;
  });
  afterAll(async () => {
    await app?.close();
    await redis?.dispose();
  });

  const predict = (i: number) => app.inject({ method: 'POST', url: '/v1/predict', payload: { plan: plan(i) }, headers: bearer(keys.byClient.c1!) });
  const ready = () => app.inject({ method: 'GET', url: '/health/ready', headers: bearer(keys.admin) });

  it('serves fallbacks during the outage, reports not-ready naming the online store, and recovers by itself', async () => {
    const before = await predict(0);
    expect(before.statusCode).toBe(200);
    expect(before.json().features_missing).toEqual([]);
    expect((await ready()).statusCode).toBe(200);

    await redis.stop('SIGKILL');
    for (let i = 1; i <= 8; i++) {
      const res = await predict(i);
      expect(res.statusCode).toBe(200);
      expect(res.json().degraded).toContain('online_store');
      expect(res.json().features_missing).toEqual(['client_rate_7d']);
    }
    const down = await ready();
    expect(down.statusCode).toBe(503);
    expect(down.json().dependencies.onlineStore).toMatchObject({ state: 'down', required: true });
    expect(down.json().dependencies.cache).toMatchObject({ state: 'down', required: false });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    await redis.restart();
    let recovered: Record<string, unknown> | undefined;
    for (let i = 100; i < 400 && !recovered; i++) {
      const res = await predict(i);
      if (res.statusCode === 503) {
        // The directory's client entry (cached 5 s) expired while the breaker was still open: the
        // service answers at once with a retriable 503 rather than guessing the client exists.
        expect(res.json()).toMatchObject({ code: expect.stringMatching(/CIRCUIT_OPEN|STORE_UNAVAILABLE|DEPENDENCY_TIMEOUT/) });
        await sleep(100);
        continue;
      }
      expect(res.statusCode).toBe(200);
      const body = res.json() as Record<string, unknown>;
      if (!(body.degraded as string[] | undefined)?.includes('online_store')) recovered = body;
      else await sleep(100);
    }
    expect(recovered?.features_missing).toEqual([]);
    // readiness runs its own fresh round of checks (the Redis ping has its own 200 ms command
    // timeout): on a loaded machine the first round after recovery can still miss, so it is asked
    // again until it answers ready, as predict was above
    await vi.waitFor(async () => expect((await ready()).statusCode).toBe(200), { timeout: 10_000, interval: 200 });
  });
});

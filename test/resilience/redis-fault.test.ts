/**
 * Fault tests against a real, private redis-server that the test kills and restarts on the same
 * port (AOF with fsync always, so what Redis acknowledged survives SIGKILL).
 * (a) writes during the outage fail with a retriable error; the caller's retry loop (what the
 *     stream job does before committing offsets) replays them; afterwards nothing is missing.
 * (b) reads fail fast through a circuit breaker during the outage and recover by themselves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { isAlmanacError } from '../../core/errors.ts';
import { CircuitBreaker } from '../../core/resilience/circuit-breaker.ts';
import { retry } from '../../core/resilience/retry.ts';
import type { OnlineKey, OnlineStore, OnlineValue } from '../../features/online-store/online-store.ts';
import { createRedisOnlineStore } from '../../features/online-store/redis/redis-online-store.ts';
import { hasRedisBinary, PrivateRedis } from '../adapters/private-redis.ts';

const ENTITIES = 100;
const BATCHES = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!hasRedisBinary()) console.warn('\n*** SKIPPING redis fault tests: they need the redis-server binary (apt-get install redis-server) ***\n');

/** Batch v: the shared counters c0..c99 move to version v, and 100 rows of its own (k<v>-<i>). */
function batch(v: number): (OnlineKey & OnlineValue)[] {
  const rows: (OnlineKey & OnlineValue)[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    rows.push({ view: 'client_activity', entity: `c${i}`, timestamp: v, values: { events_seen: v } });
    rows.push({ view: 'touch_once', entity: `k${v}-${i}`, timestamp: v, values: { batch: v, i } });
  }
  return rows;
}

describe.skipIf(!hasRedisBinary())('online store on a Redis that crashes and comes back', () => {
  let redis: PrivateRedis;
  let store: OnlineStore;

  beforeEach(async () => {
    redis = await PrivateRedis.start({ durable: true });
    const config = loadConfig({ env: {}, overrides: { onlineStore: { adapter: 'redis', redis: { url: redis.url } } } });
    store = createRedisOnlineStore(config, { commandTimeoutMs: 1000, connectTimeoutMs: 500 });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    await redis.dispose();
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`(a) loses no feature write across a ${signal} + restart mid-load`, async () => {
      const failures: string[] = [];
      let markStopped!: () => void;
      const stopped = new Promise<void>((r) => (markStopped = r));
      let reachedThird!: () => void;
      const third = new Promise<void>((r) => (reachedThird = r));
      const writer = (async () => {
        for (let v = 1; v <= BATCHES; v++) {
          if (v === 4) {
            reachedThird();
            await stopped; // the outage begins between batch 3 and batch 4, whatever the machine's speed
          }
          await retry(() => store.write(batch(v)), {
            retries: 200,
            baseMs: 10,
            maxMs: 100,
            onRetry: (err) => failures.push(isAlmanacError(err) ? `${err.code}/${err.retriable}` : String(err)),
          });
          await sleep(10);
        }
      })();
      await third;
      await redis.stop(signal);
      markStopped();
      await sleep(400);
      await redis.restart();
      await writer;

      expect(failures.length).toBeGreaterThan(0);
      expect(new Set(failures)).toEqual(new Set(['ALMANAC_ERR_STORE_UNAVAILABLE/true']));
      const settle = { retries: 20, baseMs: 20, maxMs: 200 }; // a loaded CI machine may time a big read out once
      const counters = await retry(() => store.read(Array.from({ length: ENTITIES }, (_, i) => ({ view: 'client_activity', entity: `c${i}` }))), settle);
      expect(counters.every((c) => c?.timestamp === BATCHES && c.values.events_seen === BATCHES)).toBe(true);
      const own: OnlineKey[] = [];
      for (let v = 1; v <= BATCHES; v++) for (let i = 0; i < ENTITIES; i++) own.push({ view: 'touch_once', entity: `k${v}-${i}` });
      const rows = await retry(() => store.read(own), settle);
      expect(rows.filter((r) => r === undefined)).toHaveLength(0);
      expect(rows.reduce((sum, r) => sum + Number(r!.values.batch), 0)).toBe(ENTITIES * ((BATCHES * (BATCHES + 1)) / 2));
    });
  }

  it('(b) reads fail fast through the breaker during the outage and recover by themselves', async () => {
    const keys = [{ view: 'client_activity', entity: 'c1' }];
    await store.write(batch(7));
    const breaker = new CircuitBreaker({ name: 'redis', failureThreshold: 3, resetMs: 150 });
    const read = () => breaker.exec(() => store.read(keys));
    expect(await read()).toEqual([{ timestamp: 7, values: { events_seen: 7 } }]);

    await redis.stop('SIGKILL');
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const err = await read().then(() => undefined, (e: unknown) => e);
      codes.push(isAlmanacError(err) ? err.code : String(err));
    }
    expect(codes.slice(0, 3)).toEqual(Array(3).fill('ALMANAC_ERR_STORE_UNAVAILABLE'));
    expect(codes.slice(3)).toEqual(Array(7).fill('ALMANAC_ERR_CIRCUIT_OPEN'));
    expect(breaker.state).toBe('open');
    await expect(store.ping()).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });

    await redis.restart();
    let recovered: (OnlineValue | undefined)[] | undefined;
    for (let i = 0; i < 200 && recovered === undefined; i++) {
      recovered = await read().catch(() => undefined);
      if (recovered === undefined) await sleep(50);
    }
    expect(recovered).toEqual([{ timestamp: 7, values: { events_seen: 7 } }]);
    expect(breaker.state).toBe('closed');
    expect(await store.ping()).toMatch(/^last written /);
  });

  it('(b) a frozen Redis (SIGSTOP) times reads out as STORE_UNAVAILABLE instead of hanging, then recovers', async () => {
    const keys = [{ view: 'client_activity', entity: 'c2' }];
    await store.write(batch(3));
    redis.freeze(true);
    try {
      await expect(store.read(keys)).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE', retriable: true });
      await expect(store.write(batch(4))).rejects.toMatchObject({ code: 'ALMANAC_ERR_STORE_UNAVAILABLE' });
    } finally {
      redis.freeze(false);
    }
    const after = await retry(() => store.read(keys), { retries: 50, baseMs: 10, maxMs: 100 });
    expect(after[0]!.timestamp).toBeGreaterThanOrEqual(3);
    await retry(() => store.write(batch(5)), { retries: 50, baseMs: 10, maxMs: 100 });
    expect(await store.read(keys)).toEqual([{ timestamp: 5, values: { events_seen: 5 } }]);
  });
});

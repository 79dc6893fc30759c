/**
 * (d) The stream job writing to a real Redis online store that is killed in the middle of a write:
 * the job fails with a retriable error without committing its offsets, a supervisor-style retry
 * (what k8s does by restarting the worker) resumes it from its checkpoint once Redis is back, and
 * the online store ends exactly as after one clean run (newest-wins writes make the replay idempotent).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { isAlmanacError } from '../../core/errors.ts';
import { retry } from '../../core/resilience/retry.ts';
import type { OnlineStore } from '../../features/online-store/online-store.ts';
import { createRedisOnlineStore } from '../../features/online-store/redis/redis-online-store.ts';
import { runStreamJob } from '../../features/jobs/stream-job.ts';
import { hasRedisBinary, PrivateRedis } from '../adapters/private-redis.ts';
import { arrivalOrder, generateWorld } from '../features/fixtures/generate-events.ts';
import { appendToLog, offlineRows, tempConfig } from '../features/jobs/job-fixture.ts';

const events = arrivalOrder(generateWorld({ days: 20, clients: 6, seed: 23 }), { disorder: 0.1, duplicates: 0.05 });
const opts = { untilCaughtUp: true, quiet: true, maxRecords: 100, commitIntervalMs: 0 } as const;

if (!hasRedisBinary()) console.warn('\n*** SKIPPING redis stream fault test: it needs the redis-server binary (apt-get install redis-server) ***\n');

/** Every feature-row hash under `prefix` (`<prefix>f:…`; not the store's `<prefix>written` health marker), keyed without the prefix. */
async function dump(url: string, prefix: string): Promise<Map<string, Record<string, string>>> {
  const raw = new Redis(url);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await raw.scan(cursor, 'MATCH', `${prefix}f:*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    const out = new Map<string, Record<string, string>>();
    for (const k of keys.sort()) out.set(k.slice(prefix.length), await raw.hgetall(k));
    return out;
  } finally {
    raw.disconnect();
  }
}

describe.skipIf(!hasRedisBinary())('stream job on a Redis that crashes mid-write', () => {
  let redis: PrivateRedis;
  const stores: OnlineStore[] = [];

  const redisStore = async (prefix: string) => {
    const config = loadConfig({ env: {}, overrides: { onlineStore: { adapter: 'redis', redis: { url: redis.url, keyPrefix: prefix } } } });
    const store = createRedisOnlineStore(config, { commandTimeoutMs: 500, connectTimeoutMs: 300 });
    await store.init();
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    redis = await PrivateRedis.start({ durable: true });
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await redis.dispose();
  });

  it('ends with the online state of one clean run', async () => {
    const clean = tempConfig();
    await appendToLog(clean, events);
    const cleanReport = await runStreamJob(clean, { ...opts, online: await redisStore('clean:') });

    const faulty = tempConfig();
    await appendToLog(faulty, events);
    const real = await redisStore('fault:');
    let writes = 0;
    let restarted: Promise<void> | undefined;
    const killing: OnlineStore = Object.create(real) as OnlineStore;
    killing.write = async (rows, ttl) => {
      if (++writes === 3) {
        await redis.stop('SIGKILL'); // dies just as the third batch is written
        restarted = new Promise((r) => setTimeout(r, 300)).then(() => redis.restart());
      }
      return real.write(rows, ttl);
    };
    const failures: string[] = [];
    const report = await retry(() => runStreamJob(faulty, { ...opts, online: killing }), {
      retries: 100, baseMs: 20, maxMs: 200,
      onRetry: (err) => failures.push(isAlmanacError(err) ? `${err.code}/${err.retriable}` : String(err)),
    });
    await restarted;

    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['ALMANAC_ERR_STORE_UNAVAILABLE/true']));
    expect(report.resumed).toBe(true);
    expect(report.stats).toEqual(cleanReport.stats);
    const [cleanState, faultState] = await Promise.all([dump(redis.url, 'clean:'), dump(redis.url, 'fault:')]);
    expect(faultState.size).toBeGreaterThan(0);
    expect(faultState).toEqual(cleanState);
    expect(await offlineRows(faulty)).toEqual(await offlineRows(clean));
  });
});

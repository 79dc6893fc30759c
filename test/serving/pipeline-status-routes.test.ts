/**
 * GET /v1/features/views and GET /v1/log over a real embedded home: events appended to the log,
 * the stream job run to the end (its checkpoint and commits), then more events appended (lag).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlmanacConfig } from '../../core/config.ts';
import { runStreamJob } from '../../features/jobs/stream-job.ts';
import { createOfflineStore } from '../../features/offline-store/create-offline-store.ts';
import type { OfflineStore } from '../../features/offline-store/offline-store.ts';
import { FEATURE_VIEWS } from '../../features/views/index.ts';
import { createEventLog } from '../../pipelines/event-log/create-event-log.ts';
import type { EventLog } from '../../pipelines/event-log/event-log.ts';
import { buildApp } from '../../serving/app.ts';
import { arrivalOrder, generateWorld } from '../features/fixtures/generate-events.ts';
import { appendToLog, offlineRows, tempConfig } from '../features/jobs/job-fixture.ts';
import { bearer } from './auth-keys.ts';
import { fakeDeps, type FakeWorld } from './serving-fakes.ts';

const events = arrivalOrder(generateWorld({ days: 6, clients: 3 }), { disorder: 0.05 });
const LATE = 7;
let config: AlmanacConfig;
let log: EventLog;
let world: FakeWorld;
let app: FastifyInstance;
let offline: OfflineStore;

beforeAll(async () => {
  config = tempConfig(3);
  const sent = new Map<string, number>(); // a re-sent event gets a distinct record id in both batches
  await appendToLog(config, events.slice(0, events.length - LATE), sent);
  await runStreamJob(config, { untilCaughtUp: true, quiet: true, maxRecords: 500, commitIntervalMs: 0 });
  await appendToLog(config, events.slice(events.length - LATE), sent);
  log = await createEventLog(config);
  await log.init();
  world = await fakeDeps();
  offline = await createOfflineStore(config);
  await offline.init();
  const store = offline;
  app = await buildApp({ ...world.deps, config: { ...config, serving: world.deps.config.serving }, eventLog: log, offlineRowStats: (view) => store.rowStats(view) }, { poll: false });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await log?.close();
  await offline?.close();
});

const get = (url: string, key = world.keys.admin) => app.inject({ method: 'GET', url, headers: bearer(key) });

describe('GET /v1/features/views', () => {
  it('lists every view with its entity and windows, the last final window the stream wrote, and its lag', async () => {
    const before = Date.now();
    const r = await get('/v1/features/views');
    expect(r.statusCode).toBe(200);
    const { views } = r.json() as { views: { view: string; entity: string; window: string; last_window_end: string | null; lag_ms: number | null; offline_rows: number | null }[] };
    expect(views.map((v) => v.view)).toEqual(FEATURE_VIEWS.map((v) => v.name));
    const rows = await offlineRows(config);
    const lastTs = Math.max(...events.map((e) => e.ts));
    let checked = 0;
    for (const v of views) {
      const def = FEATURE_VIEWS.find((d) => d.name === v.view)!;
      expect(v.entity).toBe(def.entity);
      expect(v.window.split(', ').length).toBeGreaterThan(0);
      const written = rows.filter((x) => x.view === v.view).map((x) => x.timestamp);
      expect(v.offline_rows).toBe(written.length); // the store's deduplicated rows
      if (written.length === 0 || v.last_window_end === null) continue;
      const end = Date.parse(v.last_window_end);
      // the frontier covers every row written, and never runs past the events
      expect(end).toBeGreaterThanOrEqual(Math.max(...written));
      expect(end).toBeLessThanOrEqual(lastTs);
      expect(v.lag_ms).toBeGreaterThanOrEqual(before - end);
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
  });
});

describe('GET /v1/features/views: online row counts', () => {
  it('counts the rows the online store would serve per view; null when the store cannot count (redis)', async () => {
    const w = await fakeDeps(); // its online store holds one client_activity row
    const counting = await buildApp({ ...w.deps, onlineStore: { ...w.deps.onlineStore, capabilities: new Set(['ttl', 'row_counts']) } }, { poll: false });
    const uncounted = await buildApp({ ...w.deps, onlineStore: { ...w.deps.onlineStore, capabilities: new Set(['ttl']) } }, { poll: false });
    try {
      const views = (await counting.inject({ method: 'GET', url: '/v1/features/views', headers: bearer(w.keys.admin) })).json().views as { view: string; online_rows: number | null; offline_rows: null }[];
      expect(views.find((v) => v.view === 'client_activity')?.online_rows).toBe(1);
      expect(views.filter((v) => v.view !== 'client_activity').every((v) => v.online_rows === 0 && v.offline_rows === null)).toBe(true); // fakes: no offline store
      const none = (await uncounted.inject({ method: 'GET', url: '/v1/features/views', headers: bearer(w.keys.admin) })).json().views as { online_rows: number | null }[];
      expect(none.every((v) => v.online_rows === null)).toBe(true);
    } finally {
      await counting.close();
      await uncounted.close();
    }
  });
});

describe('GET /v1/log', () => {
  it('gives each partition\'s offsets and the stream group\'s committed offsets and lag (the events appended after it caught up)', async () => {
    const r = await get('/v1/log');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.partitions).toHaveLength(3);
    expect(body.partitions.reduce((a: number, p: { end_offset: number }) => a + p.end_offset, 0)).toBe(events.length);
    const group = body.groups.find((g: { group: string }) => g.group === 'almanac-features');
    expect(group.total_lag).toBe(LATE);
    expect(group.partitions.reduce((a: number, p: { committed: number }) => a + p.committed, 0)).toBe(events.length - LATE);
    for (const p of group.partitions) {
      const end = body.partitions.find((x: { partition: number }) => x.partition === p.partition).end_offset;
      expect(p.lag).toBe(end - p.committed);
    }
  });

  it('is 403 for a tenant key and 400 for an unknown query parameter', async () => {
    expect((await get('/v1/log', world.keys.byClient.c1!)).statusCode).toBe(403);
    expect((await get('/v1/features/views', world.keys.byClient.c1!)).statusCode).toBe(403);
    const bad = await get('/v1/log?group=x');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues).toEqual([{ path: 'query.group', reason: 'unknown field \'group\'' }]);
  });
});

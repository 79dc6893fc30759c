/**
 * The demo as a user meets it: a world that ends near now, served, with the live stream running.
 * A predict right after start finds every stream view's features (none in features_missing), and
 * an online feature value changes while the live stream runs: the world ends just before the
 * campaign view's day window closes (day end + allowed lateness + the engine's 5 min
 * out-of-orderness), and the live events (on a clock that starts at the world's end) close it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDemo, type DemoResult } from '../../app/demo.ts';
import { startLiveDemo, type LiveDemo } from '../../app/live-demo.ts';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { createOnlineStore } from '../../features/online-store/create-online-store.ts';
import type { OnlineStore, OnlineValue } from '../../features/online-store/online-store.ts';
import { campaignPerformance } from '../../features/views/campaign-performance.ts';
import { FEATURE_VIEWS } from '../../features/views/index.ts';
import { startServer } from '../../serving/cli.ts';

const DAY_MS = 86_400_000;
/** The aggregation engine's default out-of-orderness (features/aggregation/aggregation-engine.ts). */
const OUT_OF_ORDERNESS_MS = 300_000;
/** The world ends this long before the live events close the campaign view's last day window. */
const LEAD_MS = 4_000;

let home: string;
let config: AlmanacConfig;
let demo: DemoResult;
let end: number;
let app: FastifyInstance;
let url: string;
let live: LiveDemo | undefined;
let online: OnlineStore;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'almanac-demo-live-'));
  config = loadConfig({ env: { ALMANAC_FSYNC: 'none' }, overrides: { home, logLevel: 'silent' } });
  // the latest instant ≤ now at which the campaign view's window of the day before closes, less LEAD_MS
  const closesAfterDayEnd = campaignPerformance.allowedLatenessMs + OUT_OF_ORDERNESS_MS;
  const dayEnd = Math.floor((Date.now() - closesAfterDayEnd) / DAY_MS) * DAY_MS;
  end = dayEnd + closesAfterDayEnd - LEAD_MS;
  demo = await buildDemo(config, { quiet: true, epochs: 2, end, world: { clients: 6, campaigns: 18, days: 21, touchesPerDay: 30 } });
  ({ app, url } = await startServer(config, { port: 0 }));
  online = await createOnlineStore(config);
  await online.init();
}, 240_000);

afterAll(async () => {
  await live?.stop().catch(() => undefined);
  await online?.close();
  await app?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const campaignRow = async (): Promise<OnlineValue | undefined> =>
  (await online.read([{ view: campaignPerformance.name, entity: demo.examples.touch.campaign_id }]))[0];

it('serves real stream features right after start, and an online feature moves while the live stream runs', async () => {
  const startedAt = Date.now();
  live = await startLiveDemo(config, { world: demo.world, touchesPerSecond: 5, tickMs: 250, clock: () => end + (Date.now() - startedAt) });

  // the README's first predict: a touch of the example campaign, at now (ts left out)
  const { client_id, ts: _ts, ...touch } = demo.examples.touch;
  const res = await fetch(`${url}/v1/predict`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.keys.clients[client_id]}` }, body: JSON.stringify({ touch }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { probability: number; features_missing: string[] };
  expect(body.probability).toBeGreaterThan(0);
  const streamViewMissing = body.features_missing.filter((f) => FEATURE_VIEWS.some((v) => f.startsWith(`${v.name}.`)));
  expect(streamViewMissing).toEqual([]);

  const before = await campaignRow();
  expect(before?.timestamp).toBe(Math.floor(end / DAY_MS) * DAY_MS - DAY_MS); // the day before the last one
  let after = before;
  for (let waited = 0; after?.timestamp === before?.timestamp && waited < 40_000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    after = await campaignRow();
  }
  expect(after?.timestamp).toBe(Math.floor(end / DAY_MS) * DAY_MS); // the last day's window, closed by live events
  expect(after?.values).not.toEqual(before?.values);

  const report = await live.stop();
  live = undefined;
  expect(report.appended).toBeGreaterThan(0);
  expect(report.stream.records).toBeGreaterThanOrEqual(report.appended);
  expect(report.stream.lag).toBe(0); // the last batch was committed
}, 90_000);

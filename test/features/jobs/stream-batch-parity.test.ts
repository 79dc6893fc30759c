import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialize } from '../../../features/materialize.ts';
import { runBackfill } from '../../../features/jobs/backfill-job.ts';
import { runStreamJob } from '../../../features/jobs/stream-job.ts';
import { arrivalOrder, generateWorld } from '../fixtures/generate-events.ts';
import { appendToLog, offlineRows, onlineSnapshot, tempConfig } from './job-fixture.ts';

const events = arrivalOrder(generateWorld({ days: 14, clients: 5 }), { disorder: 0.15, veryLate: 0.02, duplicates: 0.06 });

describe('stream job vs backfill', () => {
  it('produce identical feature rows for the same events, with duplicates and disorder', async () => {
    const config = tempConfig();
    const half = Math.floor(events.length / 2);
    const sent = new Map<string, number>();
    await appendToLog(config, events.slice(0, half), sent);
    const first = await runStreamJob(config, { untilCaughtUp: true, quiet: true, maxRecords: 400, commitIntervalMs: 0 });
    await appendToLog(config, events.slice(half), sent);
    const second = await runStreamJob(config, { untilCaughtUp: true, quiet: true, maxRecords: 400, commitIntervalMs: 0 });
    expect(second.resumed).toBe(true);
    expect(first.records + second.records).toBe(events.length);
    expect(second.lag).toBe(0);
    expect(second.stats.duplicates).toBeGreaterThan(0);
    expect(Object.values(second.stats.late).some((n) => n > 0)).toBe(true);
    const streamed = await offlineRows(config);
    expect(streamed.length).toBeGreaterThan(200);

    const report = await runBackfill(config, { quiet: true, chunk: 333 });
    const backfilled = await offlineRows(config);
    expect(report.rows).toBe(backfilled.length);
    expect(backfilled).toEqual(streamed);
    expect(report.stats.late).toEqual(second.stats.late);
    expect(report.stats.duplicates).toBe(second.stats.duplicates);

    // the online store holds the newest row of each entity, campaign profiles included
    const online = new Map(onlineSnapshot(config));
    const latest = new Map<string, number>();
    for (const r of streamed) latest.set(`${r.view}\u0000${r.entity}`, Math.max(latest.get(`${r.view}\u0000${r.entity}`) ?? 0, r.timestamp));
    for (const [k, ts] of latest) expect((online.get(k) as { timestamp: number }).timestamp).toBe(ts);
    expect(online.get('campaign_profile\u0000client-0-camp-1')).toMatchObject({ values: { client_id: 'client-0', industry: 'retail', budget: 2000 } });
    expect(online.get('client_profile\u0000client-2')).toMatchObject({ values: { industry: 'travel' } });

    // materialize rebuilds the same aggregate rows in an empty online store from the offline store
    rmSync(path.join(config.home, 'online'), { recursive: true, force: true });
    const mat = await materialize(config, { quiet: true });
    expect(mat.rows).toBe(latest.size);
    const rebuilt = onlineSnapshot(config);
    expect(rebuilt).toEqual([...online].filter(([k]) => !k.startsWith('campaign_profile') && !k.startsWith('client_profile')));
  });

  it('backfill of a range replaces only that range', async () => {
    const config = tempConfig();
    await appendToLog(config, events);
    await runStreamJob(config, { untilCaughtUp: true, quiet: true });
    const all = await offlineRows(config);
    const from = Date.UTC(2024, 0, 5);
    const to = Date.UTC(2024, 0, 8);
    const report = await runBackfill(config, { from, to, quiet: true });
    expect(report.rows).toBe(all.filter((r) => r.timestamp >= from && r.timestamp < to).length);
    expect(await offlineRows(config)).toEqual(all);
  });
});

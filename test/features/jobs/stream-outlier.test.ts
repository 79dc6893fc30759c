/**
 * Issue 12 item 1: one far-future event (inside the edge's skew bound, or produced straight to the
 * log) must not stop the features of its partition — before, the stream job's watermark followed the
 * max event time, so every later event of every client in that partition was dropped as late.
 */
import { describe, expect, it } from 'vitest';
import type { AlmanacEvent } from '../../../core/domain/event.ts';
import { runStreamJob } from '../../../features/jobs/stream-job.ts';
import { arrivalOrder, generateWorld } from '../fixtures/generate-events.ts';
import { appendToLog, offlineRows, tempConfig } from './job-fixture.ts';

const events = arrivalOrder(generateWorld({ days: 10, clients: 4 }), { disorder: 0.1 });
const DAY = 86_400_000;

describe('stream job with a far-future event', () => {
  it('writes the same aggregate rows as without it, and counts nothing more as late', async () => {
    const half = Math.floor(events.length / 2);
    const lastTs = Math.max(...events.map((e) => e.ts));
    const outlier: AlmanacEvent = { type: 'client', event_id: 'atk-future-1', client_id: 'client-1', ts: lastTs + 300 * DAY, industry: 'media' };

    const clean = tempConfig();
    await appendToLog(clean, events);
    const a = await runStreamJob(clean, { untilCaughtUp: true, quiet: true, maxRecords: 300, commitIntervalMs: 0 });

    const attacked = tempConfig();
    await appendToLog(attacked, [...events.slice(0, half), outlier, ...events.slice(half)]);
    const b = await runStreamJob(attacked, { untilCaughtUp: true, quiet: true, maxRecords: 300, commitIntervalMs: 0 });

    expect(b.records).toBe(a.records + 1);
    expect(b.stats.late).toEqual(a.stats.late);
    expect(b.stats.lateReasons).toEqual(a.stats.lateReasons);
    expect(b.watermark).toBeLessThanOrEqual(lastTs); // (not equal to a's: the outlier is one of the partition's latest times)
    const aggregates = (rows: Awaited<ReturnType<typeof offlineRows>>) => rows.filter((r) => !r.view.endsWith('_profile'));
    const rowsA = aggregates(await offlineRows(clean));
    expect(rowsA.length).toBeGreaterThan(100);
    expect(aggregates(await offlineRows(attacked))).toEqual(rowsA);
  });
});

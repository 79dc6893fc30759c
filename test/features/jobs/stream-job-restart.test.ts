import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkpointPath } from '../../../features/jobs/stream-checkpoint.ts';
import { runStreamJob } from '../../../features/jobs/stream-job.ts';
import { arrivalOrder, generateWorld } from '../fixtures/generate-events.ts';
import { appendToLog, offlineRows, onlineSnapshot, tempConfig } from './job-fixture.ts';

const events = arrivalOrder(generateWorld({ days: 10, clients: 4, seed: 11 }), { disorder: 0.1, duplicates: 0.05 });
const opts = { untilCaughtUp: true, quiet: true, maxRecords: 300, commitIntervalMs: 0 } as const;

describe('stream job restarts', () => {
  it('a crash mid-way (writes done, offsets not committed) then a restart gives the state of one clean run', async () => {
    const clean = tempConfig();
    await appendToLog(clean, events);
    const cleanReport = await runStreamJob(clean, opts);

    const crashed = tempConfig();
    await appendToLog(crashed, events);
    await runStreamJob(crashed, { ...opts, crashAfterRecords: 700 });
    await runStreamJob(crashed, { ...opts, crashAfterRecords: 1900 });
    const resumed = await runStreamJob(crashed, opts);
    expect(resumed.resumed).toBe(true);
    expect(resumed.stats).toEqual(cleanReport.stats);
    expect(await offlineRows(crashed)).toEqual(await offlineRows(clean));
    expect(onlineSnapshot(crashed)).toEqual(onlineSnapshot(clean));
  });

  it('running again reads nothing new and changes nothing; without a checkpoint it replays to the same state', async () => {
    const config = tempConfig();
    await appendToLog(config, events);
    await runStreamJob(config, opts);
    const rows = await offlineRows(config);
    const online = onlineSnapshot(config);
    const again = await runStreamJob(config, opts);
    expect(again.records).toBe(0);
    rmSync(checkpointPath(config, 'almanac-features'));
    const replay = await runStreamJob(config, opts);
    expect(replay.resumed).toBe(false);
    expect(replay.records).toBe(events.length);
    expect(await offlineRows(config)).toEqual(rows);
    expect(onlineSnapshot(config)).toEqual(online);
  });

  it('stops on abort after committing its batch', async () => {
    const config = tempConfig();
    await appendToLog(config, events);
    const controller = new AbortController();
    controller.abort();
    const report = await runStreamJob(config, { quiet: true, signal: controller.signal, maxRecords: 100 });
    expect(report.records).toBe(100);
    expect(report.commits).toBe(1);
    const next = await runStreamJob(config, opts);
    expect(next.records).toBe(events.length - 100);
  });

  it('with drainOnAbort, an abort reads on to the end of the log first (every event appended before it), then stops', async () => {
    const config = tempConfig();
    await appendToLog(config, events);
    const controller = new AbortController();
    controller.abort();
    const report = await runStreamJob(config, { quiet: true, signal: controller.signal, drainOnAbort: true, maxRecords: 100 });
    expect(report.records).toBe(events.length);
    expect(report.lag).toBe(0);
    expect(report.commits).toBeGreaterThanOrEqual(1);
    expect((await runStreamJob(config, opts)).records).toBe(0);
  });
});

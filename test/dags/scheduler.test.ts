import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, type AlmanacConfig } from '../../core/config.ts';
import { silentLogger } from '../../core/logger.ts';
import { defineDag } from '../../dags/dag.ts';
import { listRuns } from '../../dags/run-history.ts';
import { checkSchedule, startScheduler } from '../../dags/scheduler.ts';

let home: string;
let config: AlmanacConfig;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'almanac-sched-'));
  config = loadConfig({ env: {}, overrides: { home } });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('scheduler', () => {
  it('rejects an invalid cron expression with the DAG named', () => {
    expect(() => checkSchedule('retrain', 'every day')).toThrow(/DAG 'retrain': invalid cron schedule 'every day'/);
  });

  it('runs a DAG on its schedule and records the run as scheduled', async () => {
    const dag = defineDag({ name: 'tick', description: '', schedule: '* * * * * *', tasks: [{ id: 'a', run: async () => 1 }] });
    const scheduler = startScheduler(config, [dag], { logger: silentLogger });
    expect(scheduler.next()[0]?.nextRun).toBeInstanceOf(Date);
    await vi.waitFor(async () => expect((await listRuns(config, 'tick')).length).toBeGreaterThan(0), { timeout: 5_000, interval: 100 });
    await scheduler.stop();
    const [run] = await listRuns(config, 'tick');
    expect(run?.trigger).toBe('schedule');
    expect(run?.state).toBe('success');
  });

  it('never overlaps two runs of one DAG; stop() waits for the run in flight', async () => {
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const hold = new Promise<void>((r) => { release = r; });
    const dag = defineDag({ name: 'long', description: '', tasks: [{
      id: 'a', run: async () => { active++; maxActive = Math.max(maxActive, active); await hold; active--; },
    }] });
    const scheduler = startScheduler(config, [dag], { logger: silentLogger });
    const first = scheduler.trigger('long');
    await new Promise((r) => setTimeout(r, 20));
    expect(await scheduler.trigger('long')).toBeUndefined(); // skipped while the first runs
    const stopped = scheduler.stop();
    release();
    await stopped;
    expect((await first)?.state).toBe('success');
    expect(maxActive).toBe(1);
    expect((await listRuns(config, 'long')).length).toBe(1);
  });

  it('stop({abort}) cancels a running DAG and records it as failed', async () => {
    let started!: () => void;
    const aStarted = new Promise<void>((r) => { started = r; });
    const dag = defineDag({ name: 'abortable', description: '', tasks: [
      { id: 'a', run: (ctx) => new Promise((_, reject) => { ctx.signal.addEventListener('abort', () => reject(new Error('cancelled'))); started(); }) },
      { id: 'b', dependsOn: ['a'], run: async () => 1 },
    ] });
    const scheduler = startScheduler(config, [dag], { logger: silentLogger });
    const running = scheduler.trigger('abortable');
    await aStarted; // a fixed sleep raced the lock + first history write on a slow CI machine
    await scheduler.stop({ abort: true });
    const run = await running;
    expect(run?.state).toBe('failed');
    expect(run?.tasks.map((t) => t.state)).toEqual(['failed', 'skipped']);
  });

  it('stop({abort}) before the run has subscribed still cancels it: every task skipped, the run failed', async () => {
    const dag = defineDag({ name: 'early', description: '', tasks: [{ id: 'a', run: async () => 1 }] });
    const scheduler = startScheduler(config, [dag], { logger: silentLogger });
    const running = scheduler.trigger('early');
    await scheduler.stop({ abort: true }); // synchronously after trigger: the lock is not even taken yet
    const run = await running;
    expect(run?.state).toBe('failed');
    expect(run?.error).toBe('run cancelled');
    expect(run?.tasks.map((t) => t.state)).toEqual(['skipped']);
  });

  it('an unknown DAG name is ALMANAC_ERR_DAG_UNKNOWN', async () => {
    const scheduler = startScheduler(config, [], { logger: silentLogger });
    await expect(scheduler.trigger('nope')).rejects.toMatchObject({ code: 'ALMANAC_ERR_DAG_UNKNOWN' });
    await scheduler.stop();
  });
});

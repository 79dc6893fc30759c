import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlmanacEvent, CampaignEvent, OutcomeEvent, TouchEvent } from '../../core/domain/event.ts';
import { AlmanacError } from '../../core/errors.ts';
import type { LogAdmission } from '../../features/jobs/log-admission.ts';
import { readTrainingEvents } from '../../features/training-events.ts';
import type { EventLog } from '../../pipelines/event-log/event-log.ts';
import { buildTrainingSet } from '../../features/training-set-builder.ts';
import { latestTrainingSetDir, readTrainingSet, writeTrainingSet } from '../../features/training-set-file.ts';
import type { TrainingExample } from '../../features/training-set.ts';
import { runStreamJob } from '../../features/jobs/stream-job.ts';
import { appendToLog, tempConfig } from './jobs/job-fixture.ts';
import { FIXTURE_START, generateWorld } from './fixtures/generate-events.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const WINDOW = 3 * DAY;

async function buildFrom(events: AlmanacEvent[]) {
  const config = tempConfig();
  await appendToLog(config, [...events].sort((a, b) => a.ts - b.ts));
  await runStreamJob(config, { untilCaughtUp: true, quiet: true });
  return { config, ...(await buildTrainingSet(config, { attributionWindowMs: WINDOW, quiet: true })) };
}

const outcome = (t: TouchEvent, id: string, ts: number, touch_id = t.touch_id): OutcomeEvent =>
  ({ type: 'outcome', event_id: id, touch_id, campaign_id: t.campaign_id, client_id: t.client_id, ts, kind: 'conversion' });

describe('buildTrainingSet (point in time)', () => {
  const base = generateWorld({ days: 16, clients: 4, seed: 5 });
  const touches = base.filter((e): e is TouchEvent => e.type === 'touch');
  const converted = new Set(base.flatMap((e) => (e.type === 'outcome' && e.kind === 'conversion' ? [e.touch_id] : [])));
  const target = touches.find((t) => t.ts > FIXTURE_START + 8 * DAY && !converted.has(t.touch_id) && t.ts % DAY < 20 * 3_600_000) as TouchEvent;
  const other = touches.find((t) => t.ts > FIXTURE_START + 9 * DAY && !converted.has(t.touch_id)) as TouchEvent;

  it('excludes a feature-affecting event just after t and an outcome just after the window', async () => {
    const planted: AlmanacEvent[] = [
      outcome(target, 'leak-feature', target.ts + MIN, other.touch_id === target.touch_id ? 'x' : other.touch_id), // counted for the client just after t
      outcome(target, 'leak-label', target.ts + WINDOW + MIN), // after the window: no label
      outcome(other, 'in-window', other.ts + WINDOW - MIN), // inside the window: label 1
    ];
    const clean = await buildFrom(base);
    const leaky = await buildFrom([...base, ...planted]);
    const row = (set: { examples: TrainingExample[] }, id: string) => set.examples.find((e) => e.touch_id === id) as TrainingExample;
    expect(row(leaky.set, target.touch_id).features).toEqual(row(clean.set, target.touch_id).features);
    expect(row(leaky.set, target.touch_id).label).toBe(0);
    expect(row(leaky.set, other.touch_id).label).toBe(1);
    // the planted event WAS counted: the client's day row after t sees one more conversion
    expect(row(leaky.set, target.touch_id).features['client_activity.touches_7d']).toBeGreaterThan(0);
    const later = leaky.set.examples.find((e) => e.client_id === target.client_id && e.ts >= Math.ceil(target.ts / DAY) * DAY + 3 * 3_600_000) as TrainingExample;
    const laterClean = row(clean.set, later.touch_id);
    expect(later.features['client_activity.conversions_1d']).toBe((laterClean.features['client_activity.conversions_1d'] as number) + 1);
  });

  it('includes only touches whose attribution window has closed, in time order, with a manifest', async () => {
    const { config, dir, set } = await buildFrom(base);
    const maxTs = Math.max(...base.map((e) => e.ts));
    expect(set.examples.length).toBe(touches.filter((t) => t.ts + WINDOW <= maxTs).length);
    expect(set.examples.every((e, i) => i === 0 || (set.examples[i - 1] as TrainingExample).ts <= e.ts)).toBe(true);
    expect(set.manifest.positives).toBeGreaterThan(0);
    expect(set.manifest.columns).toContainEqual({ name: 'client_activity.conversion_rate_7d', type: 'numeric', source: 'view:client_activity' });
    expect(set.manifest.columns).toContainEqual({ name: 'campaign.industry', type: 'categorical', source: 'campaign' });
    expect(set.manifest.columns).toContainEqual({ name: 'audience.age', type: 'numeric', source: 'touch' });
    expect(set.manifest.featureViews).toContainEqual({ name: 'segment_performance', version: 1 });
    expect(Object.values(set.manifest.eventLogOffsets).reduce((a, b) => a + b, 0)).toBe(base.length);
    expect(await latestTrainingSetDir(config)).toBe(dir);
    expect(await readTrainingSet(dir)).toEqual(set);
    const again = await buildTrainingSet(config, { attributionWindowMs: WINDOW, quiet: true });
    expect(again.set.manifest.id).toBe(set.manifest.id);
  });

  it('respects each view TTL: an aggregate row older than the TTL is not used', async () => {
    const world = generateWorld({ days: 38, clients: 2, campaignsPerClient: 1, touchesPerCampaignPerDay: 1, seed: 9 });
    const t0 = world.find((e): e is TouchEvent => e.type === 'touch') as TouchEvent;
    const seg = (id: string, segment: string, ts: number): TouchEvent => ({ ...t0, event_id: id, touch_id: id, ts, audience: { segment } });
    const extra = [seg('r1-0', 'rare1', FIXTURE_START + 2 * 3_600_000), seg('r2-0', 'rare2', FIXTURE_START + 2 * 3_600_000),
      seg('r1-probe', 'rare1', FIXTURE_START + 34 * DAY), seg('r2-probe', 'rare2', FIXTURE_START + 36 * DAY)];
    const { set } = await buildFrom([...world, ...extra]);
    const f = (id: string) => (set.examples.find((e) => e.touch_id === id) as TrainingExample).features;
    // rare1's last row is at day 28; 6 days ≤ 7-day TTL at day 34 → used; rare2 at day 36: 8 days > TTL → null
    expect(f('r1-probe')['segment_performance.touches_28d']).toBe(1);
    expect(f('r1-probe')['segment_performance.touches_1d']).toBe(0);
    expect(f('r2-probe')['segment_performance.touches_28d']).toBeNull();
    expect(f('r2-probe')['client_activity.touches_28d']).not.toBeNull();
  });

  it('holds a touch-id-hash sample of a set bigger than holdRows; the whole set, the same as with every row held, is on disk', async () => {
    const { config, set: whole } = await buildFrom(base);
    const holdRows = Math.floor(whole.manifest.rows / 4);
    const { dir, set } = await buildTrainingSet(config, { attributionWindowMs: WINDOW, quiet: true, holdRows });
    expect(set.manifest).toEqual({ ...whole.manifest, createdAt: set.manifest.createdAt });
    expect(set.sample).toMatchObject({ method: 'touch-id-hash', rows: set.examples.length, of: whole.manifest.rows });
    expect(set.examples.length).toBeGreaterThan(holdRows * 0.6);
    expect(set.examples.length).toBeLessThan(holdRows * 1.4);
    const byId = new Map(whole.examples.map((e) => [e.touch_id, e]));
    for (const e of set.examples) expect(e).toEqual(byId.get(e.touch_id));
    expect(set.examples.every((e, i) => i === 0 || (set.examples[i - 1] as TrainingExample).ts <= e.ts)).toBe(true);
    expect((await readTrainingSet(dir)).examples).toEqual(whole.examples);
    // read back with the same bound, the same rows are held
    const reread = await readTrainingSet(dir, { holdRows });
    expect(reread.examples).toEqual(set.examples);
    expect(reread.sample).toEqual(set.sample);
    // the touches spilled by day are gone
    expect(readdirSync(path.dirname(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('counts a touch re-sent (same client and touch id, even with another event id) once, the first read', async () => {
    const first = touches[10] as TouchEvent;
    const resent: TouchEvent = { ...first, event_id: `${first.event_id}-again`, audience: { ...first.audience, segment: 'resent' } };
    const { set } = await buildFrom([...base, first, resent]);
    const rows = set.examples.filter((e) => e.touch_id === first.touch_id && e.client_id === first.client_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.features['audience.segment']).not.toBe('resent');
  });

  it('counts a campaign or conversion event re-sent under its event id once, the first read, even with other content', async () => {
    const sorted = [...base].sort((a, b) => a.ts - b.ts);
    const camp = sorted.find((e): e is CampaignEvent => e.type === 'campaign') as CampaignEvent;
    const conv = sorted.find((e): e is OutcomeEvent => e.type === 'outcome' && e.kind === 'conversion') as OutcomeEvent;
    const other = touches.find((t) => t.client_id === conv.client_id && t.touch_id !== conv.touch_id && !converted.has(t.touch_id) && t.ts <= conv.ts && t.ts + WINDOW >= conv.ts) as TouchEvent;
    expect(other).toBeDefined();
    const { set } = await buildFrom([...sorted, { ...camp, industry: 'altered-industry' }, { ...conv, touch_id: other.touch_id, campaign_id: other.campaign_id }]);
    expect(set.examples.some((e) => e.features['campaign.industry'] === 'altered-industry')).toBe(false);
    expect(set.examples.find((e) => e.touch_id === other.touch_id)?.label).toBe(0);
  });

  it('removes the spill folder a killed build left (its process gone) and leaves a live build\'s', async () => {
    const config = tempConfig();
    const folder = path.join(config.home, 'training-sets');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    mkdirSync(path.join(folder, `.touches-${dead}-old`, 'x'), { recursive: true });
    mkdirSync(path.join(folder, `.touches-${process.ppid}-live`), { recursive: true });
    await appendToLog(config, [...base].sort((a, b) => a.ts - b.ts));
    await buildTrainingSet(config, { attributionWindowMs: WINDOW, quiet: true });
    expect(readdirSync(folder).filter((f) => f.startsWith('.touches-'))).toEqual([`.touches-${process.ppid}-live`]);
  });

  it('refuses a bound on the rows held that is not a positive whole number, and a held sample is never written as the set', async () => {
    const { config, dir, set } = await buildFrom(base);
    for (const holdRows of [0, -1, 2.5, Number.NaN]) {
      await expect(buildTrainingSet(config, { holdRows, quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', details: { issues: [{ path: 'holdRows' }] } });
      await expect(readTrainingSet(dir, { holdRows })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID', details: { issues: [{ path: 'holdRows' }] } });
    }
    const held = await readTrainingSet(dir, { holdRows: 10 });
    await expect(writeTrainingSet(path.join(config.home, 'copy'), held)).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    expect(existsSync(path.join(config.home, 'copy'))).toBe(false);
    expect((await readTrainingSet(dir)).examples).toEqual(set.examples);
  });

  it('an event log that cannot be read fails the build (only a log with no events yet is an empty set)', async () => {
    const down = new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', 'kafka unavailable during offsets');
    const log = { init: async () => undefined, offsets: async () => { throw down; } } as unknown as EventLog;
    const admission = {} as LogAdmission;
    const spill = mkdtempSync(path.join(os.tmpdir(), 'almanac-spill-'));
    await expect(readTrainingEvents(log, admission, spill)).rejects.toBe(down);
    const none = { init: async () => undefined, offsets: async () => { throw new AlmanacError('ALMANAC_ERR_LOG_UNKNOWN_TOPIC', 'no topic'); } } as unknown as EventLog;
    const empty = await readTrainingEvents(none, admission, spill);
    expect([empty.days.touches, empty.maxTs]).toEqual([0, -Infinity]);
    rmSync(spill, { recursive: true, force: true });
  });

  it('rejects a range whose start is not before its end', async () => {
    await expect(buildTrainingSet(tempConfig(), { from: 10, to: 5, quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});

import { describe, expect, it } from 'vitest';
import type { AlmanacEvent } from '../../../core/domain/event.ts';
import { partitionOf } from '../../../core/stable-hash.ts';
import { AggregationEngine, compareRows } from '../../../features/aggregation/aggregation-engine.ts';
import type { FeatureRow, FeatureView } from '../../../features/feature-view.ts';
import { clientActivity } from '../../../features/views/client-activity.ts';
import { arrivalOrder, FIXTURE_START, generateWorld, rng } from '../fixtures/generate-events.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const P = 3;

function byPartition(events: AlmanacEvent[]): AlmanacEvent[][] {
  const parts: AlmanacEvent[][] = Array.from({ length: P }, () => []);
  for (const e of events) parts[partitionOf(e.client_id, P)]?.push(e);
  return parts;
}

/** Runs the engine over per-partition streams, interleaved by `pick` (per-partition order kept). */
function run(parts: AlmanacEvent[][], pick: (open: number[]) => number, batch = 7): { rows: FeatureRow[]; engine: AggregationEngine } {
  const engine = new AggregationEngine();
  engine.setPartitions(parts.map((_, i) => i).filter((i) => (parts[i]?.length ?? 0) > 0));
  const pos = parts.map(() => 0);
  const rows: FeatureRow[] = [];
  for (;;) {
    const open = parts.map((_, i) => i).filter((i) => (pos[i] as number) < (parts[i] as AlmanacEvent[]).length);
    if (open.length === 0) break;
    const p = pick(open);
    for (let k = 0; k < batch && (pos[p] as number) < (parts[p] as AlmanacEvent[]).length; k++) {
      engine.processRecord(p, JSON.stringify((parts[p] as AlmanacEvent[])[pos[p] as number]));
      pos[p] = (pos[p] as number) + 1;
    }
    rows.push(...engine.drain());
  }
  return { rows: rows.sort(compareRows), engine };
}

const touch = (id: string, ts: number, extra: Partial<AlmanacEvent> = {}): AlmanacEvent =>
  ({ type: 'touch', event_id: id, touch_id: id, campaign_id: 'k1', client_id: 'c1', ts, cost: 1.1, audience: { segment: 's' }, attributes: {}, ...extra }) as AlmanacEvent;

describe('AggregationEngine', () => {
  it('once caught up, an idle partition no longer holds the watermark back (and later events for emitted windows are late)', () => {
    const engine = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0, watermarkSupport: 1 });
    engine.setPartitions([0, 1]);
    const d0 = FIXTURE_START;
    engine.processEvent(1, touch('idle', d0 + HOUR, { client_id: 'c2' } as Partial<AlmanacEvent>)); // c2's campaigns end on day 0
    for (let d = 0; d < 10; d++) engine.processEvent(0, touch(`t${d}`, d0 + d * DAY + HOUR));
    const held = engine.drain();
    expect(held.every((r) => r.timestamp <= d0 + DAY)).toBe(true); // partition 1 (day 0) holds emission back
    const caughtUp = engine.drain({ caughtUp: true });
    const c1 = caughtUp.filter((r) => r.entity === 'c1').map((r) => r.timestamp);
    expect(Math.max(...c1)).toBe(d0 + 8 * DAY); // the last window whose end + 2 h lateness the most advanced watermark (day 9, 01:00) passed
    engine.processEvent(1, touch('too-late', d0 + 2 * DAY, { client_id: 'c2' } as Partial<AlmanacEvent>));
    expect(engine.stats.late[clientActivity.name]).toBe(1);
  });

  it('computes tumbling and sliding windows and emits a row once the watermark passes end + lateness', () => {
    const views: FeatureView[] = [clientActivity];
    const engine = new AggregationEngine({ views, outOfOrdernessMs: 0, watermarkSupport: 1 });
    const d0 = FIXTURE_START;
    engine.processEvent(0, touch('a', d0 + HOUR));
    engine.processEvent(0, touch('b', d0 + 2 * HOUR));
    engine.processEvent(0, { type: 'outcome', event_id: 'o1', touch_id: 'a', campaign_id: 'k1', client_id: 'c1', ts: d0 + 3 * HOUR, kind: 'conversion' });
    engine.processEvent(0, touch('c', d0 + DAY + HOUR));
    expect(engine.drain()).toEqual([]); // day 0 ends at d0+DAY; lateness 2h not passed yet
    engine.processEvent(0, touch('d', d0 + DAY + 3 * HOUR));
    const rows = engine.drain();
    expect(rows).toHaveLength(1);
    const row = rows[0] as FeatureRow;
    expect(row).toMatchObject({ view: 'client_activity', entity: 'c1', timestamp: d0 + DAY });
    expect(row.values).toMatchObject({ touches_1d: 2, conversions_1d: 1, conversion_rate_1d: 0.5, spend_1d: 2.2, touches_28d: 2, ctr_7d: 0 });
  });

  it('drops and counts events later than the allowed lateness, against their own partition watermark', () => {
    const engine = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0, watermarkSupport: 1 });
    const d0 = FIXTURE_START;
    engine.processEvent(0, touch('a', d0 + 5 * DAY));
    engine.processEvent(1, touch('x', d0, { client_id: 'c2' })); // partition 1 watermark is still early: counts
    engine.processEvent(0, touch('late', d0 + 3 * DAY)); // day 3 ended 2 days before p0's watermark
    engine.processEvent(0, touch('ok', d0 + 5 * DAY - HOUR)); // day 4 ended 1h ago < 2h lateness
    expect(engine.stats.late.client_activity).toBe(1);
    expect(engine.stats.events).toBe(4);
  });

  it('dedupes by event_id', () => {
    const engine = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0, watermarkSupport: 1 });
    engine.processEvent(0, touch('a', FIXTURE_START));
    expect(engine.processRecord(0, JSON.stringify(touch('a', FIXTURE_START)))).toBeUndefined();
    engine.processEvent(0, touch('z', FIXTURE_START + 3 * DAY));
    expect(engine.stats.duplicates).toBe(1);
    expect(engine.drain().find((r) => r.timestamp === FIXTURE_START + DAY)?.values.touches_1d).toBe(1);
  });

  it('produces identical rows however partitions interleave, with duplicates and disorder', () => {
    const events = arrivalOrder(generateWorld({ days: 12 }), { disorder: 0.15, veryLate: 0.02, duplicates: 0.08 });
    const parts = byPartition(events);
    const roundRobin = (() => { let i = 0; return (open: number[]) => open[i++ % open.length] as number; })();
    const r = rng(99);
    const a = run(parts, roundRobin);
    const b = run(parts, (open) => open[Math.floor(r() * open.length)] as number, 13);
    const c = run(parts, (open) => open[0] as number, 500); // one partition after the other
    expect(a.rows.length).toBeGreaterThan(100);
    expect(b.rows).toEqual(a.rows);
    expect(c.rows).toEqual(a.rows);
    expect(b.engine.stats).toEqual(a.engine.stats);
    expect(a.engine.stats.duplicates).toBeGreaterThan(0);
    expect(Object.values(a.engine.stats.late).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    expect(new Set(a.rows.map((row) => row.view)).size).toBe(6);
  });

  it('continues exactly from a snapshot (JSON round trip)', () => {
    const events = arrivalOrder(generateWorld({ days: 10, seed: 3 }), {});
    const whole = new AggregationEngine();
    const rowsWhole = events.flatMap((e) => (whole.processEvent(partitionOf(e.client_id, P), e), whole.drain()));
    const first = new AggregationEngine();
    const half = Math.floor(events.length / 2);
    const rows = events.slice(0, half).flatMap((e) => (first.processEvent(partitionOf(e.client_id, P), e), first.drain()));
    const snap = JSON.parse(JSON.stringify(first.snapshot()));
    const second = new AggregationEngine({}, snap);
    expect(second.fits(snap)).toBe(true);
    rows.push(...events.slice(half).flatMap((e) => (second.processEvent(partitionOf(e.client_id, P), e), second.drain())));
    expect(rows).toEqual(rowsWhole);
    expect(second.stats).toEqual(whole.stats);
  });

  it('keeps memory bounded: ids and buckets of closed windows are forgotten', () => {
    const engine = new AggregationEngine();
    for (const e of generateWorld({ days: 40, clients: 2, campaignsPerClient: 1 })) {
      engine.processEvent(0, e);
      engine.drain();
    }
    const open = engine.openState();
    expect(open.ids).toBeLessThan(40); // ~a day and a few hours of ids, not 40 days
    expect(engine.stats.events).toBeGreaterThan(300);
  });

  describe('robust watermark (one outlier cannot stop a partition)', () => {
    const hourly = (engine: AggregationEngine, from: number, hours: number, prefix: string, client = 'c1') => {
      for (let h = 0; h < hours; h++) engine.processEvent(0, touch(`${prefix}${h}`, from + h * HOUR, { client_id: client } as Partial<AlmanacEvent>));
    };

    it('an event far ahead of the rest of its partition does not make the later events late', () => {
      const d0 = FIXTURE_START;
      const engine = new AggregationEngine({ views: [clientActivity] }); // default support 3
      hourly(engine, d0, 30, 'a');
      engine.processEvent(0, touch('future', d0 + 300 * DAY, { client_id: 'c2' } as Partial<AlmanacEvent>)); // another client's stray clock
      hourly(engine, d0 + 30 * HOUR, 30, 'b');
      expect(engine.stats.late.client_activity).toBe(0);
      expect(engine.watermark()).toBeLessThan(d0 + 60 * HOUR);
      const rows = engine.drain();
      expect(rows.filter((r) => r.entity === 'c1').map((r) => r.timestamp)).toEqual([d0 + DAY, d0 + 2 * DAY]); // days 0 and 1 closed by the ordinary events
      // with support 1 (the max event time) the same stream loses everything after the outlier
      const naive = new AggregationEngine({ views: [clientActivity], watermarkSupport: 1 });
      hourly(naive, d0, 30, 'a');
      naive.processEvent(0, touch('future', d0 + 300 * DAY, { client_id: 'c2' } as Partial<AlmanacEvent>));
      hourly(naive, d0 + 30 * HOUR, 30, 'b');
      expect(naive.stats.late.client_activity).toBe(30);
      expect(naive.stats.lateReasons.behind_watermark).toBe(30);
    });

    it('follows event time once `support` events reach it, and never moves back', () => {
      const d0 = FIXTURE_START;
      const engine = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0, watermarkSupport: 3 });
      engine.processEvent(0, touch('a', d0 + 10 * HOUR));
      engine.processEvent(0, touch('b', d0 + 20 * HOUR));
      expect(engine.watermark()).toBe(-Infinity); // fewer than 3 events: no support yet
      engine.processEvent(0, touch('c', d0 + 30 * HOUR));
      expect(engine.watermark()).toBe(d0 + 10 * HOUR);
      engine.processEvent(0, touch('d', d0 + 5 * HOUR)); // older than the third latest: no change
      expect(engine.watermark()).toBe(d0 + 10 * HOUR);
      engine.processEvent(0, touch('e', d0 + 40 * HOUR));
      expect(engine.watermark()).toBe(d0 + 20 * HOUR);
    });

    it('counts late events by reason', () => {
      const d0 = FIXTURE_START;
      const engine = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0, watermarkSupport: 1 });
      engine.setPartitions([0, 1]);
      engine.processEvent(1, touch('idle', d0 + HOUR, { client_id: 'c2' } as Partial<AlmanacEvent>));
      hourly(engine, d0, 72, 'a');
      engine.drain({ caughtUp: true }); // emits c1's days 0 and 1 (and the shared frontier)
      engine.processEvent(0, touch('old', d0 + 2 * HOUR)); // day 0 closed for partition 0's watermark
      engine.processEvent(1, touch('emitted', d0 + DAY + 2 * HOUR, { client_id: 'c2' } as Partial<AlmanacEvent>)); // partition 1's watermark is early, but day 1 was emitted
      expect(engine.stats.lateReasons).toEqual({ behind_watermark: 1, window_emitted: 1 });
      expect(engine.stats.late.client_activity).toBe(2);
    });

    it('a snapshot keeps the support state (JSON round trip)', () => {
      const d0 = FIXTURE_START;
      const engine = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0 });
      engine.processEvent(0, touch('a', d0 + HOUR));
      engine.processEvent(0, touch('b', d0 + 2 * HOUR));
      const resumed = new AggregationEngine({ views: [clientActivity], outOfOrdernessMs: 0 }, JSON.parse(JSON.stringify(engine.snapshot())));
      resumed.processEvent(0, touch('c', d0 + 3 * HOUR));
      expect(resumed.watermark()).toBe(d0 + HOUR);
    });
  });
});

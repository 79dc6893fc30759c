import { describe, expect, it } from 'vitest';
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { LiveEvents } from '../../pipelines/simulator/live-events.ts';
import { startSimulation } from '../../pipelines/simulator/simulate-world.ts';
import { DAY_MS } from '../../pipelines/simulator/simulation-options.ts';

const WORLD = { seed: 5, clients: 6, campaigns: 18, days: 21, touchesPerDay: 30, start: '2024-03-01' };
const END = Date.parse('2024-03-22T00:00:00Z');

/** Every event due by `until`, asked second by second as the demo's ticks do. */
function drain(live: LiveEvents, from: number, until: number, stepMs = 1000): AlmanacEvent[] {
  const out: AlmanacEvent[] = [];
  for (let t = from; t <= until; t += stepMs) out.push(...live.due(t));
  return out;
}

describe('LiveEvents (the demo stream after the world ends)', () => {
  it('releases touches at about the asked rate, in time order, none before their time or before the start', () => {
    const live = new LiveEvents(WORLD, { startedAt: END, touchesPerSecond: 2 });
    const events = drain(live, END, END + 300_000);
    const touches = events.filter((e) => e.type === 'touch');
    expect(touches.length).toBeGreaterThan(450); // Poisson(600)
    expect(touches.length).toBeLessThan(750);
    expect(events.every((e) => e.ts >= END && e.ts <= END + 300_000)).toBe(true);
    for (let i = 1; i < events.length; i++) expect((events[i] as AlmanacEvent).ts).toBeGreaterThanOrEqual((events[i - 1] as AlmanacEvent).ts);
    // asked again at the same time: nothing twice
    expect(live.due(END + 300_000)).toEqual([]);
  });

  it('goes only to campaigns running at the end, with outcomes of its own touches', () => {
    const live = new LiveEvents(WORLD, { startedAt: END, touchesPerSecond: 0.2 });
    const running = new Set(live.campaignIds);
    expect(running.size).toBeGreaterThan(0);
    const events = drain(live, END, END + DAY_MS, 60_000); // a day: conversions come too
    const touchIds = new Set(events.flatMap((e) => (e.type === 'touch' ? [e.touch_id] : [])));
    expect(events.every((e) => (e.type === 'touch' || e.type === 'outcome') && running.has(e.campaign_id))).toBe(true);
    const outcomes = events.filter((e) => e.type === 'outcome');
    expect(outcomes.some((o) => o.type === 'outcome' && o.kind === 'conversion')).toBe(true);
    expect(outcomes.every((o) => o.type === 'outcome' && touchIds.has(o.touch_id))).toBe(true);
  });

  it('is deterministic by seed; another start shifts times and ids, never reusing the history’s or its own ids', () => {
    const a = drain(new LiveEvents(WORLD, { startedAt: END }), END, END + 120_000);
    const b = drain(new LiveEvents(WORLD, { startedAt: END }), END, END + 120_000);
    expect(b).toEqual(a);
    const later = END + 3_600_000;
    const c = drain(new LiveEvents(WORLD, { startedAt: later }), later, later + 120_000);
    const shape = (e: AlmanacEvent) => (e.type === 'touch' ? [e.campaign_id, e.audience] : [e.type]);
    expect(c.map(shape)).toEqual(a.map(shape));
    expect(c.map((e) => e.ts - later)).toEqual(a.map((e) => e.ts - END));
    const history = new Set<string>();
    for (const e of startSimulation({ ...WORLD }).events) history.add(e.event_id);
    const ids = [...a, ...c].map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => history.has(id))).toEqual([]);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => new LiveEvents(WORLD, { startedAt: END, touchesPerSecond: 0 })).toThrow(/positive number, got 0/);
  });
});

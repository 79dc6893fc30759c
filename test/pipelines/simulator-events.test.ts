import { beforeAll, describe, expect, it } from 'vitest';
import { parseEvent, type AlmanacEvent, type CampaignEvent, type TouchEvent } from '../../core/domain/event.ts';
import { DAY_MS } from '../../pipelines/simulator/simulation-options.ts';
import { DEMO_WORLD, startSimulation, type SimulationRun } from '../../pipelines/simulator/simulate-world.ts';

const OPTIONS = { ...DEMO_WORLD, days: 21, touchesPerDay: 60 };
let run: SimulationRun;
let events: AlmanacEvent[];

beforeAll(() => {
  run = startSimulation(OPTIONS);
  events = [...run.events];
});

/** First occurrences (duplicates removed) in delivery order. */
function firstOccurrences(): AlmanacEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.event_id) && (seen.add(e.event_id), true));
}

describe('simulated event stream', () => {
  it('is large enough to measure rates, and every event parses unchanged with parseEvent', () => {
    expect(events.length).toBeGreaterThan(25_000);
    const changed = events.filter((e) => JSON.stringify(parseEvent(JSON.parse(JSON.stringify(e)))) !== JSON.stringify(e));
    expect(changed).toEqual([]);
  });

  it('starts with every client, keeps timestamps inside the period, and sends each campaign before its touches', () => {
    const clients = run.world.clients.length;
    expect(events.slice(0, clients).every((e) => e.type === 'client')).toBe(true);
    expect(firstOccurrences().slice(clients).filter((e) => e.type === 'client')).toEqual([]);
    const campaignsSeen = new Set<string>();
    const outside: AlmanacEvent[] = [];
    const orphans: AlmanacEvent[] = [];
    for (const e of events) {
      if (e.ts < run.world.start || e.ts >= run.world.end) outside.push(e);
      if (e.type === 'campaign') campaignsSeen.add(e.campaign_id);
      if (e.type === 'touch' && !campaignsSeen.has(e.campaign_id)) orphans.push(e);
    }
    expect(outside).toEqual([]);
    expect(orphans).toEqual([]);
    expect(campaignsSeen.size).toBe(OPTIONS.campaigns);
  });

  it('updates a few campaigns mid-flight with a new event_id and a raised budget', () => {
    const byCampaign = new Map<string, CampaignEvent[]>();
    for (const e of firstOccurrences()) if (e.type === 'campaign') byCampaign.set(e.campaign_id, [...(byCampaign.get(e.campaign_id) ?? []), e]);
    const updated = [...byCampaign.values()].filter((list) => list.length > 1);
    expect(updated.length).toBeGreaterThan(0);
    for (const [created, update] of updated) {
      expect(update?.event_id).not.toBe(created?.event_id);
      expect(update?.budget).toBeGreaterThan(created?.budget ?? Infinity);
      expect(update?.ts).toBeGreaterThan(created?.start ?? Infinity);
      expect(update?.ts).toBeLessThan(created?.end ?? -Infinity);
      expect({ ...update, event_id: '', ts: 0, budget: 0 }).toEqual({ ...created, event_id: '', ts: 0, budget: 0 });
    }
  });

  it('re-sends ~1% of events as exact duplicates, later than the original', () => {
    const first = new Map<string, { json: string; index: number }>();
    let duplicates = 0;
    const differing: string[] = [];
    events.forEach((e, index) => {
      const json = JSON.stringify(e);
      const prior = first.get(e.event_id);
      if (!prior) return void first.set(e.event_id, { json, index });
      duplicates++;
      if (json !== prior.json) differing.push(e.event_id);
    });
    expect(differing).toEqual([]);
    const rate = duplicates / first.size;
    expect(rate).toBeGreaterThan(0.006);
    expect(rate).toBeLessThan(0.015);
    expect(run.stats.duplicates).toBe(duplicates);
  });

  it('delivers ~1–2% of events out of order, each late by at most maxLatenessMs', () => {
    let maxTs = -Infinity;
    let late = 0;
    let maxLateness = 0;
    for (const e of firstOccurrences()) {
      if (e.ts < maxTs) {
        late++;
        maxLateness = Math.max(maxLateness, maxTs - e.ts);
      }
      maxTs = Math.max(maxTs, e.ts);
    }
    expect(maxLateness).toBeLessThanOrEqual(run.world.options.maxLatenessMs);
    const rate = late / firstOccurrences().length;
    expect(rate).toBeGreaterThan(0.008);
    expect(rate).toBeLessThan(0.025);
  });

  it('attributes every outcome to an earlier-delivered touch of the same campaign and client, after it in time', () => {
    const touches = new Map<string, TouchEvent>();
    let outcomes = 0;
    const wrong: string[] = [];
    for (const e of events) {
      if (e.type === 'touch') touches.set(e.touch_id, e);
      if (e.type !== 'outcome') continue;
      outcomes++;
      const touch = touches.get(e.touch_id);
      const ok = touch && e.campaign_id === touch.campaign_id && e.client_id === touch.client_id && e.ts > touch.ts;
      if (!ok) wrong.push(e.event_id);
    }
    expect(wrong).toEqual([]);
    expect(outcomes).toBeGreaterThan(1000);
  });

  it('delays conversions from minutes to days, a small share beyond the 7-day attribution window', () => {
    const touchTs = new Map<string, number>();
    const delays: number[] = [];
    for (const e of firstOccurrences()) {
      if (e.type === 'touch') touchTs.set(e.touch_id, e.ts);
      if (e.type === 'outcome' && e.kind === 'conversion') delays.push(e.ts - (touchTs.get(e.touch_id) ?? NaN));
    }
    const share = (f: (d: number) => boolean) => delays.filter(f).length / delays.length;
    expect(share((d) => d < 3_600_000)).toBeGreaterThan(0.25);
    expect(share((d) => d > DAY_MS)).toBeGreaterThan(0.2);
    const beyond = share((d) => d > 7 * DAY_MS);
    expect(beyond).toBeGreaterThan(0.01);
    expect(beyond).toBeLessThan(0.08);
  });

  it('counts in stats match the delivered events', () => {
    const byType = { client: 0, campaign: 0, touch: 0, outcome: 0 };
    for (const e of events) byType[e.type]++;
    expect(run.stats.byType).toEqual(byType);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { DEMO_WORLD, writeSimulation, type GroundTruth, type GroundTruthPattern } from '../../pipelines/simulator/simulate-world.ts';

interface Rate { touches: number; conversions: number }
interface TouchRow { client: string; industry: string; channel: string; offer: string; creative: string; segment: string; ts: number; campaign: string }

const home = mkdtempSync(join(tmpdir(), 'almanac-sim-patterns-'));
let truth: GroundTruth;
let rows: Map<string, TouchRow & { converted: boolean }>;
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Reads events.jsonl like a consumer would: dedupe by event_id, join touches to campaigns and clients, label within the window. */
function labelledTouches(file: string, windowMs: number): Map<string, TouchRow & { converted: boolean }> {
  const seen = new Set<string>();
  const industry = new Map<string, string>();
  const campaigns = new Map<string, { channel: string }>();
  const touches = new Map<string, TouchRow & { converted: boolean }>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as AlmanacEvent;
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    if (e.type === 'client') industry.set(e.client_id, e.industry);
    else if (e.type === 'campaign') campaigns.set(e.campaign_id, { channel: e.channel });
    else if (e.type === 'touch') {
      touches.set(e.touch_id, {
        client: e.client_id, industry: industry.get(e.client_id) ?? '?', channel: campaigns.get(e.campaign_id)?.channel ?? '?',
        offer: String(e.attributes.offer), creative: String(e.attributes.creative), segment: e.audience.segment, ts: e.ts, campaign: e.campaign_id, converted: false,
      });
    } else if (e.kind === 'conversion') {
      const t = touches.get(e.touch_id);
      if (t && e.ts - t.ts <= windowMs) t.converted = true;
    }
  }
  return touches;
}

const matches = (p: GroundTruthPattern, t: TouchRow): boolean =>
  t.industry === p.industry && t.channel === p.channel && t.offer === p.offer && t.segment === p.segment && (p.creative === null || t.creative === p.creative);

function rateOf(filter: (t: TouchRow) => boolean): Rate & { rate: number } {
  let touches = 0;
  let conversions = 0;
  for (const t of rows.values()) {
    if (t.ts + truth.attributionWindowMs > truth.period.end || !filter(t)) continue;
    touches++;
    if (t.converted) conversions++;
  }
  return { touches, conversions, rate: conversions / touches };
}

beforeAll(async () => {
  const result = await writeSimulation({ ...DEMO_WORLD, out: home, quiet: true });
  truth = JSON.parse(readFileSync(join(home, 'ground-truth.json'), 'utf8')) as GroundTruth;
  rows = labelledTouches(join(home, 'events.jsonl'), truth.attributionWindowMs);
  expect(result.events).toBe(truth.counts.events);
});

describe('planted success patterns', () => {
  it('the demo world has ~100–250k events, 12 clients and several planted patterns, each across ≥ 3 clients', () => {
    expect(truth.counts.events).toBeGreaterThan(100_000);
    expect(truth.counts.events).toBeLessThan(250_000);
    expect(truth.clients).toHaveLength(12);
    expect(truth.patterns.length).toBeGreaterThanOrEqual(3);
    for (const p of truth.patterns) {
      expect(p.clients.length, p.id).toBeGreaterThanOrEqual(3);
      const clientsInData = new Set([...rows.values()].filter((t) => matches(p, t)).map((t) => t.client));
      expect(clientsInData.size, p.id).toBeGreaterThanOrEqual(3);
    }
  });

  it('matching touches convert far better than the rest, close to the planted rate', () => {
    const base = rateOf((t) => !truth.patterns.some((p) => matches(p, t)));
    expect(base.rate).toBeGreaterThan(0.01);
    expect(base.rate).toBeLessThan(0.04);
    for (const p of truth.patterns) {
      const r = rateOf((t) => matches(p, t));
      expect(r.touches, p.id).toBeGreaterThan(500);
      expect(r.rate, p.id).toBeGreaterThan(Math.max(0.1, 4 * base.rate));
      expect(Math.abs(r.rate - p.conversionRate), p.id).toBeLessThan(0.05);
      expect({ touches: r.touches, conversions: r.conversions }).toEqual({ touches: p.observed.touches, conversions: p.observed.conversions });
    }
  });

  it('is an interaction: other segments reached by the same campaigns convert near the base rate', () => {
    for (const p of truth.patterns) {
      const others = rateOf((t) => p.campaigns.includes(t.campaign) && t.segment !== p.segment);
      expect(others.touches, p.id).toBeGreaterThan(200);
      expect(others.rate, p.id).toBeLessThan(0.06);
    }
  });

  it('holds for every client carrying the pattern, so cross-client learning can find it', () => {
    const base = rateOf((t) => !truth.patterns.some((p) => matches(p, t)));
    for (const p of truth.patterns) {
      for (const client of p.clients) {
        const r = rateOf((t) => t.client === client && matches(p, t));
        if (r.touches < 200) continue;
        expect(r.rate, `${p.id} ${client}`).toBeGreaterThan(3 * base.rate);
      }
    }
  });

  it('records late conversions in the ground truth, and weekends convert less outside weekend industries', () => {
    expect(truth.counts.lateConversions).toBeGreaterThan(0);
    const weekend = (t: TouchRow) => [0, 6].includes(new Date(t.ts).getUTCDay());
    const other = (t: TouchRow) => !truth.weekly.weekendIndustries.includes(t.industry) && !truth.patterns.some((p) => matches(p, t));
    const we = rateOf((t) => other(t) && weekend(t));
    const wd = rateOf((t) => other(t) && !weekend(t));
    expect(we.rate).toBeLessThan(wd.rate);
  });
});

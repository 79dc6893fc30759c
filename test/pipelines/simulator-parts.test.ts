import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlmanacEvent } from '../../core/domain/event.ts';
import { buildWorld } from '../../pipelines/simulator/build-world.ts';
import { withDisorder } from '../../pipelines/simulator/disorder.ts';
import { MinHeap } from '../../pipelines/simulator/min-heap.ts';
import type { Envelope } from '../../pipelines/simulator/ordered-events.ts';
import { createRng } from '../../pipelines/simulator/prng.ts';
import { resolveSimulationOptions } from '../../pipelines/simulator/simulation-options.ts';
import { emptyStats } from '../../pipelines/simulator/simulation-stats.ts';
import { TINY_WORLD, writeSimulation } from '../../pipelines/simulator/simulate-world.ts';

const home = mkdtempSync(join(tmpdir(), 'almanac-sim-parts-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('seeded PRNG', () => {
  it('repeats per seed and stream, differs across them, and has sane distributions', () => {
    const draw = (seed: number, stream: string) => { const r = createRng(seed, stream); return Array.from({ length: 5 }, () => r.next()); };
    expect(draw(1, 'a')).toEqual(draw(1, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(2, 'a'));
    expect(draw(1, 'a')).not.toEqual(draw(1, 'b'));
    const r = createRng(9);
    const n = 20_000;
    let sum = 0; let pois = 0; let exp = 0; let ints = 0;
    for (let i = 0; i < n; i++) { sum += r.next(); pois += r.poisson(3.5); exp += r.exponential(2); ints += r.int(10) === 9 ? 1 : 0; }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(pois / n).toBeCloseTo(3.5, 1);
    expect(exp / n).toBeCloseTo(2, 1);
    expect(ints / n).toBeCloseTo(0.1, 1);
  });
});

describe('MinHeap', () => {
  it('pops by key, equal keys in insertion order', () => {
    const h = new MinHeap<string>();
    [[5, 'e'], [1, 'a1'], [3, 'c'], [1, 'a2'], [2, 'b'], [1, 'a3']].forEach(([k, v]) => h.push(k as number, v as string));
    const out: string[] = [];
    while (h.size > 0) out.push(h.pop() as string);
    expect(out).toEqual(['a1', 'a2', 'a3', 'b', 'c', 'e']);
    expect(h.pop()).toBeUndefined();
    expect(h.peekKey()).toBe(Infinity);
  });
});

describe('simulation options', () => {
  it('fills defaults (start 2024-01-01 UTC) and accepts a plain date', () => {
    expect(resolveSimulationOptions({}).start).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(resolveSimulationOptions({ start: '2023-03-05' }).start).toBe(Date.parse('2023-03-05T00:00:00Z'));
  });

  it.each([
    [{ clients: 0 }, 'clients'],
    [{ days: 2.5 }, 'days'],
    [{ seed: -1 }, 'seed'],
    [{ start: '2024-01-01T00:00:00' }, 'start'],
    [{ duplicateRate: 0.7 }, 'duplicateRate'],
    [{ colour: 'red' }, 'colour'],
  ])('rejects %j naming the field', (bad, path) => {
    expect(() => resolveSimulationOptions(bad as never)).toThrow(expect.objectContaining({
      code: 'ALMANAC_ERR_INPUT_INVALID', details: expect.objectContaining({ issues: [expect.objectContaining({ path })] }),
    }));
  });

  it('writeSimulation rejects a file as --out and writes nothing', async () => {
    writeFileSync(join(home, 'file'), 'keep');
    await expect(writeSimulation({ ...TINY_WORLD, out: join(home, 'file'), quiet: true })).rejects.toMatchObject({ code: 'ALMANAC_ERR_INPUT_INVALID' });
  });
});

describe('world model', () => {
  it('spreads clients over industries with ≥ 3 clients each and keeps campaigns inside the period', () => {
    const world = buildWorld({ seed: 4, clients: 20, campaigns: 80, days: 30 });
    const perIndustry = new Map<string, number>();
    for (const c of world.clients) perIndustry.set(c.industry, (perIndustry.get(c.industry) ?? 0) + 1);
    expect(Math.min(...perIndustry.values())).toBeGreaterThanOrEqual(3);
    for (const c of world.campaigns) {
      expect(c.createdAt).toBeGreaterThanOrEqual(world.start);
      expect(c.createdAt).toBeLessThanOrEqual(c.start);
      expect(c.end).toBeLessThan(world.end);
      expect(c.end - c.start + 1).toBeGreaterThanOrEqual(7 * 86_400_000);
    }
    for (const p of world.patterns) {
      expect(p.conversionRate).toBeGreaterThanOrEqual(0.12);
      expect(p.conversionRate).toBeLessThanOrEqual(0.25);
      expect(new Set(world.campaigns.filter((c) => c.pattern === p).map((c) => c.client)).size).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('disorder stage', () => {
  const touch = (i: number, ts: number): AlmanacEvent => ({
    type: 'touch', event_id: `e${i}`, touch_id: `t${i}`, campaign_id: 'c', client_id: 'k', ts, audience: { segment: 's' }, attributes: {},
  });

  it('holds events back within the lateness bound, never past notAfter, and duplicates exactly', () => {
    const stats = emptyStats();
    const input: Envelope[] = Array.from({ length: 20_000 }, (_, i) => ({ event: touch(i, i * 1000), notAfter: i % 2 === 0 ? i * 1000 + 90_000 : Infinity }));
    const out = [...withDisorder(input, { seed: 1, outOfOrderRate: 0.1, duplicateRate: 0.05, maxLatenessMs: 600_000 }, stats)];
    expect(out.length).toBe(20_000 + stats.duplicates);
    expect(stats.duplicates / 20_000).toBeCloseTo(0.05, 1);
    const position = new Map<string, number>();
    out.forEach((e, i) => { if (!position.has(e.event_id)) position.set(e.event_id, i); });
    expect(position.size).toBe(20_000);
    let maxTs = 0;
    let late = 0;
    const violations: string[] = [];
    out.forEach((e, i) => {
      if (position.get(e.event_id) !== i) return;
      if (e.ts < maxTs) late++;
      if (maxTs - e.ts > 600_000) violations.push(`${e.event_id} too late`);
      const n = Number(e.event_id.slice(1));
      // An event with notAfter must come out before any event stamped at or after notAfter.
      if (n % 2 === 0 && maxTs >= n * 1000 + 90_000) violations.push(`${e.event_id} after notAfter`);
      maxTs = Math.max(maxTs, e.ts);
    });
    expect(violations).toEqual([]);
    expect(late / 20_000).toBeGreaterThan(0.05);
  });
});

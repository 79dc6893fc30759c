import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AggregationEngine } from '../../../features/aggregation/aggregation-engine.ts';
import { checkpointPath, chunkedLines, loadCheckpoint, saveCheckpoint } from '../../../features/jobs/stream-checkpoint.ts';
import { partitionOf } from '../../../core/stable-hash.ts';
import { arrivalOrder, generateWorld } from '../fixtures/generate-events.ts';
import { tempConfig } from './job-fixture.ts';

describe('stream checkpoint', () => {
  it('splits long arrays into lines of at most `chunk` elements and reads back the same state', () => {
    const value = { a: [1, 2, 3, 4, 5], b: { c: [[1, ['x', 'y', 'z']], [2, []]], d: 'text' }, e: [] as number[] };
    const lines = [...chunkedLines(value, 2)];
    const parsed = lines.map((l) => JSON.parse(l) as unknown);
    expect(parsed[0]).toEqual({ a: [], b: { c: [[1, []], [2, []]], d: 'text' }, e: [] });
    expect(parsed.slice(1)).toEqual([[['a'], [1, 2]], [['a'], [3, 4]], [['a'], [5]], [['b', 'c', 0, 1], ['x', 'y']], [['b', 'c', 0, 1], ['z']]]);
  });

  it("round-trips a real engine's state through small chunks, so no line (no string) holds the whole state", async () => {
    const engine = new AggregationEngine();
    for (const e of arrivalOrder(generateWorld({ days: 6, clients: 4 }), { duplicates: 0.05 })) engine.processEvent(partitionOf(e.client_id, 3), e);
    engine.drain();
    const config = tempConfig();
    const snapshot = engine.snapshot();
    await saveCheckpoint(config, { group: 'g/1', topic: 'almanac.events', offsets: { 0: 10, 1: 20 }, engine: snapshot }, { chunk: 5 });
    const text = readFileSync(checkpointPath(config, 'g/1'), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    const whole = JSON.stringify(snapshot).length;
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(whole / 4);
    const back = await loadCheckpoint(config, 'g/1');
    expect(back?.offsets).toEqual({ 0: 10, 1: 20 });
    expect(back?.engine).toEqual(JSON.parse(JSON.stringify(snapshot)));
    const resumed = new AggregationEngine({}, back?.engine);
    expect(resumed.snapshot()).toEqual(JSON.parse(JSON.stringify(snapshot)));
    expect(await loadCheckpoint(config, 'other')).toBeUndefined();
  });

  it('a damaged checkpoint is a clear error naming the file and the fix', async () => {
    const config = tempConfig();
    const engine = new AggregationEngine();
    await saveCheckpoint(config, { group: 'g', topic: 't', offsets: {}, engine: engine.snapshot() });
    const file = checkpointPath(config, 'g');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `${readFileSync(file, 'utf8')}[["no","such"],[1]]\n`);
    await expect(loadCheckpoint(config, 'g')).rejects.toThrow(/checkpoint .*unreadable.*delete it to replay/);
  });
});

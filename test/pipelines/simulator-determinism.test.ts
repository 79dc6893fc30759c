import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_WORLD, simulateWorld, writeSimulation } from '../../pipelines/simulator/simulate-world.ts';

const home = mkdtempSync(join(tmpdir(), 'almanac-sim-det-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function digests(dir: string, seed: number): Promise<string[]> {
  const result = await writeSimulation({ ...TINY_WORLD, seed, out: join(home, dir), quiet: true });
  expect(result.files).toEqual([join(home, dir, 'events.jsonl'), join(home, dir, 'ground-truth.json')]);
  return result.files.map(sha256);
}

describe('simulator determinism', () => {
  it('writes byte-identical files for the same options, different ones for another seed', async () => {
    const a = await digests('a', 11);
    const b = await digests('b', 11);
    const c = await digests('c', 12);
    expect(b).toEqual(a);
    expect(c[0]).not.toEqual(a[0]);
    expect(c[1]).not.toEqual(a[1]);
  });

  it('rewriting into the same folder is idempotent and leaves no temp files', async () => {
    const first = await digests('same', 5);
    const second = await digests('same', 5);
    expect(second).toEqual(first);
    expect(readFileSync(join(home, 'same', 'events.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    expect(() => readFileSync(join(home, 'same', 'events.jsonl.tmp'))).toThrow();
  });

  it('the async stream yields exactly the lines of the file', async () => {
    const dir = join(home, 'stream');
    const { events } = await writeSimulation({ ...TINY_WORLD, out: dir, quiet: true });
    const lines: string[] = [];
    for await (const e of simulateWorld(TINY_WORLD)) lines.push(JSON.stringify(e));
    expect(lines.length).toBe(events);
    expect(`${lines.join('\n')}\n`).toBe(readFileSync(join(dir, 'events.jsonl'), 'utf8'));
  });

  it('ids of different seeds never collide', async () => {
    const ids = async (seed: number) => {
      const set = new Set<string>();
      for await (const e of simulateWorld({ ...TINY_WORLD, seed, days: 2 })) set.add(e.event_id);
      return set;
    };
    const [a, b] = [await ids(1), await ids(2)];
    expect([...a].filter((id) => b.has(id))).toEqual([]);
  });

  it('streams lazily: the first events of a huge world arrive without generating the rest', async () => {
    const first: string[] = [];
    for await (const e of simulateWorld({ seed: 3, clients: 2000, campaigns: 50_000, days: 3650, touchesPerDay: 5000 })) {
      first.push(e.type);
      if (first.length === 3000) break;
    }
    expect(first.slice(0, 2000).every((t) => t === 'client')).toBe(true);
    expect(first.length).toBe(3000);
  });
});

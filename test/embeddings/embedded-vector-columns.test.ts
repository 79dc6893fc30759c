/** The embedded index's typed-array structures against plain Map/Set references under random churn. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/seeded-random.ts';
import { IdTable } from '../../embeddings/vector-index/embedded/id-table.ts';
import { LabelLists } from '../../embeddings/vector-index/embedded/label-lists.ts';
import { CodeLists } from '../../embeddings/vector-index/embedded/metadata-columns.ts';

describe('IdTable', () => {
  it('maps ids to labels and back like a Map through inserts, removals, rehashes and compactions', () => {
    const random = seededRandom(3);
    const table = new IdTable();
    const ref = new Map<string, number>();
    const free: number[] = [];
    let next = 0;
    const names = ['', 'é', '𝄞', '42', 'pattern-', 'x'.repeat(300)];
    for (let step = 0; step < 60_000; step++) {
      const id = `${names[Math.floor(random() * names.length)]}${Math.floor(random() * 20_000)}`;
      const label = ref.get(id);
      if (label === undefined && random() < 0.7) {
        const at = free.pop() ?? next++;
        expect(table.labelOf(id)).toBe(-1);
        table.set(at, id);
        ref.set(id, at);
      } else if (label !== undefined) {
        table.remove(label);
        ref.delete(id);
        free.push(label);
      }
    }
    expect(table.size).toBe(ref.size);
    for (const [id, label] of ref) {
      expect(table.labelOf(id)).toBe(label);
      expect(table.idAt(label)).toBe(id);
    }
    expect([...table.labels()].sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
    for (const label of free) expect(table.has(label)).toBe(false);
    expect(table.labelOf('never-stored')).toBe(-1);
  });
});

describe('LabelLists', () => {
  for (const single of [true, false]) {
    it(`holds the same labels per key as Sets (${single ? 'one key per label' : 'several keys per label'})`, () => {
      const random = seededRandom(single ? 5 : 6);
      const lists = new LabelLists(single);
      const ref = new Map<number, Set<number>>();
      const keyOf = new Map<number, number>();
      for (let step = 0; step < 20_000; step++) {
        const label = Math.floor(random() * 3000);
        const key = Math.floor(random() * 40);
        if (single) {
          const old = keyOf.get(label);
          if (old !== undefined) {
            lists.remove(old, label);
            ref.get(old)?.delete(label);
            keyOf.delete(label);
          }
          if (random() < 0.6) {
            lists.add(key, label);
            ref.set(key, (ref.get(key) ?? new Set()).add(label));
            keyOf.set(label, key);
          }
        } else if (ref.get(key)?.has(label)) {
          lists.remove(key, label);
          ref.get(key)?.delete(label);
        } else {
          lists.add(key, label);
          ref.set(key, (ref.get(key) ?? new Set()).add(label));
        }
      }
      for (let key = 0; key < 45; key++) {
        expect([...lists.of(key)].sort((a, b) => a - b)).toEqual([...(ref.get(key) ?? [])].sort((a, b) => a - b));
        expect(lists.size(key)).toBe(ref.get(key)?.size ?? 0);
      }
    });
  }
});

describe('CodeLists (string[] cells)', () => {
  it('keeps every cell through rewrites, clears and pool compactions', () => {
    const random = seededRandom(9);
    const cells = new CodeLists(4);
    const ref = new Map<number, number[] | undefined>();
    for (let step = 0; step < 30_000; step++) {
      const label = Math.floor(random() * 2000);
      const value = random() < 0.2 ? undefined : Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * 100));
      cells.set(label, value);
      ref.set(label, value);
    }
    for (let label = 0; label < 2100; label++) {
      const want = ref.get(label);
      expect(cells.at(label) === undefined ? undefined : Array.from(cells.at(label)!)).toEqual(want);
      expect(cells.length(label)).toBe(want === undefined ? -1 : want.length);
    }
  });

  it('gathers cells into a given order at once and a slice at a time, through writes between slices', () => {
    const random = seededRandom(4);
    const cells = new CodeLists(4);
    for (let label = 0; label < 500; label++) cells.set(label, random() < 0.1 ? undefined : Array.from({ length: Math.floor(random() * 4) }, () => Math.floor(random() * 50)));
    const order = Int32Array.from(Array.from({ length: 500 }, (_, i) => (i * 37) % 500));
    const cellsOf = (lists: CodeLists) => Array.from({ length: 500 }, (_, p) => (lists.at(p) === undefined ? undefined : Array.from(lists.at(p)!)));
    const want = Array.from(order, (label) => (cells.at(label) === undefined ? undefined : Array.from(cells.at(label)!)));
    expect(cellsOf(CodeLists.gather(cells, order))).toEqual(want);
    const work = CodeLists.gatherInSlices(cells, order, 7);
    let slices = 0;
    let step = work.next();
    for (; step.done !== true; step = work.next()) {
      slices++;
      // a write between slices: the last position's cell grows past what the first pass counted
      if (slices === 80) cells.set(order[499] as number, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(slices).toBeGreaterThan(100); // two passes of 500 positions, 7 a slice
    expect(cellsOf(step.value)).toEqual([...want.slice(0, 499), [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });
});

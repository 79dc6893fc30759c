/** The embedded index's typed-array structures against plain Map/Set references under random churn. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/seeded-random.ts';
import { IdTable } from '../../embeddings/vector-index/embedded/id-table.ts';
import { LabelLists } from '../../embeddings/vector-index/embedded/label-lists.ts';
import { LabelPostings } from '../../embeddings/vector-index/embedded/label-postings.ts';
import { CodeLists, newColumn, writeCell } from '../../embeddings/vector-index/embedded/metadata-columns.ts';

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

describe('LabelPostings (inverted lists of string columns)', () => {
  it('builds a large column\'s lists between turns of the event loop, in step with writes made meanwhile', async () => {
    const random = seededRandom(11);
    const values = ['a', 'b', 'c', 'd', 'e'];
    for (const type of ['string', 'string[]'] as const) {
      const n = 100_000;
      const col = newColumn({ name: 'f', type }, n + 1000);
      const cell = () => (type === 'string' ? (values[Math.floor(random() * 5)] as string) : [values[Math.floor(random() * 5)] as string, values[Math.floor(random() * 5)] as string]);
      for (let label = 0; label < n; label++) writeCell(col, label, cell());
      const postings = new LabelPostings();
      const write = (label: number, value: ReturnType<typeof cell> | undefined) => {
        postings.beforeWrite(col, label);
        writeCell(col, label, value);
        postings.afterWrite(col, label);
      };
      expect(postings.of(col, n), `${type}: no lists while they are built`).toBeUndefined();
      let turns = 0;
      for (; postings.of(col, n) === undefined; turns++) {
        // writes while the build runs: below and above where it is, cleared cells, and new labels past its end
        for (let w = 0; w < 50; w++) write(Math.floor(random() * n), random() < 0.1 ? undefined : cell());
        write(n + Math.floor(random() * 1000), cell());
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(turns, `${type}: built in slices`).toBeGreaterThan(3);
      const lists = postings.of(col, n) as NonNullable<ReturnType<LabelPostings['of']>>;
      // the truth, from the column as it is now
      const codeOf = (label: number): number[] => {
        if (col.type === 'string') return (col.codes[label] ?? -1) >= 0 ? [col.codes[label] as number] : [];
        if (col.type !== 'string[]') return [];
        const at = col.lists.at(label);
        return at === undefined ? [] : [...new Set(Array.from(at))];
      };
      for (let code = 0; code < 5; code++) {
        const want: number[] = [];
        for (let label = 0; label < n + 1000; label++) if (codeOf(label).includes(code)) want.push(label);
        expect([...lists.of(code)].sort((x, y) => x - y), `${type}: code ${code}`).toEqual(want);
      }
    }
  });
});

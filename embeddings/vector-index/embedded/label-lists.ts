/**
 * Labels grouped by a small integer key (a tenant code, a dictionary code), each group one growable
 * Int32Array: the tenant partitions and the inverted lists of string columns without a JS Set per
 * group or an object per label. With `single` (each label in at most one group: tenants, string
 * columns) a position array makes removal O(1) (swap with the last); otherwise (string[] columns)
 * removal finds the label with indexOf in its group.
 */
export class LabelLists {
  private lists: Int32Array[] = [];
  private sizes: number[] = [];
  private pos: Int32Array;

  constructor(private readonly single: boolean) {
    this.pos = new Int32Array(single ? 1024 : 0);
  }

  add(key: number, label: number): void {
    let list = this.lists[key];
    const n = this.sizes[key] ?? 0;
    if (list === undefined || n === list.length) {
      const next = new Int32Array(Math.max(16, n * 2));
      if (list !== undefined) next.set(list);
      list = next;
      for (let k = this.lists.length; k < key; k++) (this.lists[k] = new Int32Array(0)), (this.sizes[k] = 0);
      this.lists[key] = list;
    }
    list[n] = label;
    this.sizes[key] = n + 1;
    if (this.single) {
      if (label >= this.pos.length) {
        const next = new Int32Array(Math.max(label + 1, this.pos.length * 2));
        next.set(this.pos);
        this.pos = next;
      }
      this.pos[label] = n;
    }
  }

  remove(key: number, label: number): void {
    const list = this.lists[key];
    const n = this.sizes[key] ?? 0;
    if (list === undefined || n === 0) return;
    const at = this.single ? (this.pos[label] as number) : list.subarray(0, n).indexOf(label);
    if (at < 0 || at >= n || list[at] !== label) return;
    const last = list[n - 1] as number;
    list[at] = last;
    if (this.single) this.pos[last] = at;
    this.sizes[key] = n - 1;
  }

  /** The labels of a group (a view: valid until the next write). */
  of(key: number): Int32Array {
    const list = this.lists[key];
    return list === undefined ? EMPTY : list.subarray(0, this.sizes[key] ?? 0);
  }

  size(key: number): number {
    return this.sizes[key] ?? 0;
  }

  clear(): void {
    this.lists = [];
    this.sizes = [];
  }
}

const EMPTY = new Int32Array(0);

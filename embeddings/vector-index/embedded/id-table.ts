/**
 * The string ids of a collection, kept off the JS heap's object graph: every id's UTF-16 code
 * units in one growable Uint16Array pool (offset and length per label), and an open-addressing
 * hash table (Int32Array of labels) from id to label. A million ids are a few typed arrays, not a
 * million strings plus a Map the garbage collector must trace; a string is made only for an id a
 * caller reads (a search hit). A freed label's pool slice is garbage until `compact()`.
 */
const EMPTY = -1;

/** The string of UTF-16 code units (fromCharCode for short runs, a decoder past its argument limit). */
export function decodeCodeUnits(units: Uint16Array): string {
  return units.length <= 4096 ? String.fromCharCode.apply(null, units as unknown as number[]) : new TextDecoder('utf-16le').decode(units);
}

/** Typed arrays hold code units in the platform's byte order; a UTF-16LE Buffer view reads them only on a little-endian one. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes slices of one pool of UTF-16 code units: through a Buffer view of the pool
 * (`toString('utf16le')`, native, no view object per string; ~2× fromCharCode.apply over a
 * subarray for a 60-unit id), or decodeCodeUnits on a big-endian machine.
 */
export class CodeUnitReader {
  private pool: Uint16Array = new Uint16Array(0);
  private bytes: Buffer = Buffer.alloc(0);

  read(pool: Uint16Array, at: number, n: number): string {
    if (!LITTLE_ENDIAN) return decodeCodeUnits(pool.subarray(at, at + n));
    if (pool !== this.pool) {
      this.pool = pool;
      this.bytes = Buffer.from(pool.buffer, pool.byteOffset, pool.byteLength);
    }
    return this.bytes.toString('utf16le', at * 2, (at + n) * 2);
  }
}
const TOMBSTONE = -2;

export class IdTable {
  private pool: Uint16Array = new Uint16Array(1 << 12);
  private poolEnd = 0;
  private garbage = 0;
  /** Per label: pool offset, and length + 1 (0 = no id at this label). */
  private start = new Float64Array(1024);
  private len = new Int32Array(1024);
  private slots = new Int32Array(2048).fill(EMPTY);
  private used = 0; // live + tombstones in `slots`
  private live = 0;
  private readonly reader = new CodeUnitReader();

  get size(): number {
    return this.live;
  }

  /** The label of `id`, or -1. */
  labelOf(id: string): number {
    const mask = this.slots.length - 1;
    for (let s = hash(id) & mask; ; s = (s + 1) & mask) {
      const label = this.slots[s] as number;
      if (label === EMPTY) return -1;
      if (label >= 0 && this.equals(label, id)) return label;
    }
  }

  has(label: number): boolean {
    return label < this.len.length && (this.len[label] as number) > 0;
  }

  /** The id at `label` (undefined when none). */
  idAt(label: number): string | undefined {
    if (!this.has(label)) return undefined;
    const at = this.start[label] as number;
    const n = (this.len[label] as number) - 1;
    return this.reader.read(this.pool, at, n);
  }

  /** Sets the id of a label that has none (the caller checked `labelOf(id) === -1`). */
  set(label: number, id: string): void {
    this.ensureLabels(label + 1);
    if ((this.used + 1) * 2 > this.slots.length) this.rehash((this.live + 1) * 4 > this.slots.length ? this.slots.length * 2 : this.slots.length);
    if (this.poolEnd + id.length > this.pool.length) this.pool = growTo(this.pool, this.poolEnd + id.length);
    for (let j = 0; j < id.length; j++) this.pool[this.poolEnd + j] = id.charCodeAt(j);
    this.start[label] = this.poolEnd;
    this.len[label] = id.length + 1;
    this.poolEnd += id.length;
    const mask = this.slots.length - 1;
    let s = hash(id) & mask;
    while ((this.slots[s] as number) >= 0) s = (s + 1) & mask;
    if (this.slots[s] === EMPTY) this.used++;
    this.slots[s] = label;
    this.live++;
  }

  /** Removes the id at `label`. */
  remove(label: number): void {
    const id = this.idAt(label);
    if (id === undefined) return;
    const mask = this.slots.length - 1;
    for (let s = hash(id) & mask; ; s = (s + 1) & mask) {
      if (this.slots[s] === label) {
        this.slots[s] = TOMBSTONE;
        break;
      }
    }
    this.garbage += id.length;
    this.len[label] = 0;
    this.live--;
    if (this.garbage > 1 << 16 && this.garbage * 2 > this.poolEnd) this.compact();
  }

  /** Labels with an id, ascending. */
  *labels(): IterableIterator<number> {
    for (let label = 0; label < this.len.length; label++) if ((this.len[label] as number) > 0) yield label;
  }

  /** Rewrites the pool without the slices of removed ids. */
  compact(): void {
    const next = new Uint16Array(Math.max(1 << 12, this.poolEnd - this.garbage));
    let end = 0;
    for (let label = 0; label < this.len.length; label++) {
      const n = (this.len[label] as number) - 1;
      if (n < 0) continue;
      const at = this.start[label] as number;
      next.set(this.pool.subarray(at, at + n), end);
      this.start[label] = end;
      end += n;
    }
    this.pool = next;
    this.poolEnd = end;
    this.garbage = 0;
  }

  private equals(label: number, id: string): boolean {
    if ((this.len[label] as number) - 1 !== id.length) return false;
    const at = this.start[label] as number;
    for (let j = 0; j < id.length; j++) if (this.pool[at + j] !== id.charCodeAt(j)) return false;
    return true;
  }

  private ensureLabels(n: number): void {
    if (n <= this.len.length) return;
    const size = Math.max(n, this.len.length * 2);
    const start = new Float64Array(size);
    start.set(this.start);
    this.start = start;
    const len = new Int32Array(size);
    len.set(this.len);
    this.len = len;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    this.used = 0;
    const mask = size - 1;
    for (let label = 0; label < this.len.length; label++) {
      if ((this.len[label] as number) <= 0) continue;
      let s = this.hashAt(label) & mask;
      while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
      this.slots[s] = label;
      this.used++;
    }
  }

  private hashAt(label: number): number {
    const at = this.start[label] as number;
    const n = (this.len[label] as number) - 1;
    let h = 0x811c9dc5;
    for (let j = 0; j < n; j++) h = Math.imul(h ^ (this.pool[at + j] as number), 0x01000193);
    return mix(h);
  }
}

/** FNV-1a over UTF-16 code units, then a finaliser (linear probing wants well-spread low bits). */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < id.length; j++) h = Math.imul(h ^ id.charCodeAt(j), 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) & 0x7fffffff;
}

function growTo(arr: Uint16Array, n: number): Uint16Array {
  const next = new Uint16Array(Math.max(n, arr.length * 2));
  next.set(arr);
  return next;
}

/**
 * Columnar metadata of one embedded collection, indexed by hnswlib label: numbers in a
 * Float64Array (NaN = missing), booleans in an Int8Array (-1 = missing), strings as dictionary
 * codes (-1 = missing) and string[] as code lists in one shared Int32Array pool (start and length
 * per label; length -1 = missing; a rewritten cell's old slice is garbage until the pool is
 * compacted). Filters compile against these columns, so the per-neighbour check inside the ANN
 * search is a typed-array read, never an object lookup, and a column holds no object per record.
 */
import type { FieldSpec, Scalar, ScalarType } from '../vector-index.ts';
import { IdTable } from './id-table.ts';
import { finish, type SlicedWork } from './sliced-work.ts';

/** Slots of a dictionary's decoded-value cache (a column of categories keeps them all; a column of descriptions, the last decoded per slot). */
const DECODED_SLOTS = 4096;

/**
 * String ↔ code dictionary (codes are dense, stable, never reused), kept in an IdTable (code =
 * label): a column of mostly unique strings (descriptions) is a UTF-16 pool and a typed-array hash
 * table, not a million strings and a Map on the JS heap.
 */
export class Dictionary {
  private readonly table = new IdTable();
  /**
   * Decoded values, direct-mapped: slot code % DECODED_SLOTS holds the value of the code in
   * `keptCode` there. Codes are never reused, so a kept value never goes stale. A hit is two array
   * reads; an LRU's bookkeeping cost more than decoding a short string (a 50-hit search reads
   * ~1,000 cells).
   */
  private readonly keptCode = new Int32Array(DECODED_SLOTS).fill(-1);
  private readonly kept: (string | undefined)[] = new Array<string | undefined>(DECODED_SLOTS).fill(undefined);

  constructor(values: string[] = []) {
    for (const v of values) this.encode(v);
  }

  encode(value: string): number {
    let code = this.table.labelOf(value);
    if (code < 0) {
      code = this.table.size;
      this.table.set(code, value);
    }
    return code;
  }

  /** The code of a value, or -1 when the value was never stored (so nothing can match it). */
  lookup(value: string): number {
    return this.table.labelOf(value);
  }

  /** The value of a code (undefined for an unknown code). */
  value(code: number): string | undefined {
    if (code < 0) return undefined;
    const slot = code & (DECODED_SLOTS - 1);
    if (this.keptCode[slot] === code) return this.kept[slot];
    const value = this.table.idAt(code);
    if (value === undefined) return undefined;
    this.keptCode[slot] = code;
    this.kept[slot] = value;
    return value;
  }

  /** Every value, by code (for saving). */
  get values(): string[] {
    return Array.from({ length: this.table.size }, (_, c) => this.table.idAt(c) as string);
  }
}

export type Column =
  | { name: string; type: 'number'; values: Float64Array }
  | { name: string; type: 'bool'; values: Int8Array }
  | { name: string; type: 'string'; codes: Int32Array; dict: Dictionary }
  | { name: string; type: 'string[]'; lists: CodeLists; dict: Dictionary };

/** The string[] cells of a column: label → slice of `pool` (see the file comment). */
export class CodeLists {
  pool = new Int32Array(1024);
  private end = 0;
  private garbage = 0;
  start: Int32Array;
  len: Int32Array;

  constructor(capacity: number) {
    this.start = new Int32Array(capacity);
    this.len = new Int32Array(capacity).fill(-1);
  }

  /** Length of the label's list, -1 when missing. */
  length(label: number): number {
    return label < this.len.length ? (this.len[label] as number) : -1;
  }

  /** The label's codes (a view, valid until the next write), or undefined when missing. */
  at(label: number): Int32Array | undefined {
    const n = this.length(label);
    if (n < 0) return undefined;
    const s = this.start[label] as number;
    return this.pool.subarray(s, s + n);
  }

  set(label: number, codes: ArrayLike<number> | undefined): void {
    this.grow(label + 1);
    const old = this.len[label] as number;
    if (old > 0) this.garbage += old;
    if (codes === undefined) {
      this.len[label] = -1;
      return;
    }
    if (this.end + codes.length > this.pool.length) this.compactOrGrow(codes.length);
    this.pool.set(codes, this.end);
    this.start[label] = this.end;
    this.len[label] = codes.length;
    this.end += codes.length;
  }

  grow(capacity: number): void {
    if (capacity <= this.len.length) return;
    const size = Math.max(capacity, this.len.length * 2, 16);
    this.start = grow(this.start, size, 0);
    this.len = grow(this.len, size, -1);
  }

  /** The cells of `labels` in their order (cell p holds labels[p]'s), packed end to end. */
  static gather(source: CodeLists, labels: Int32Array): CodeLists {
    return finish(CodeLists.gatherInSlices(source, labels, labels.length + 1));
  }

  /**
   * `gather` a slice of `slice` positions at a time: each `next()` copies one slice, the last
   * returns the lists. The source may take writes between slices; the cells it reads are its
   * current ones, and the output pool grows if a cell grew since the first pass counted it.
   */
  static *gatherInSlices(source: CodeLists, labels: Int32Array, slice: number): SlicedWork<CodeLists> {
    const n = labels.length;
    const out = new CodeLists(n);
    let total = 0;
    for (let from = 0; from < n; from += slice) {
      const len = source.len;
      for (let p = from, to = Math.min(n, from + slice); p < to; p++) {
        const label = labels[p] as number;
        if (label < len.length) total += Math.max(0, len[label] as number);
      }
      yield;
    }
    let pool = new Int32Array(Math.max(16, total));
    const outLen = out.len;
    const outStart = out.start;
    let end = 0;
    for (let from = 0; from < n; from += slice) {
      // read per slice: a write in between may have grown or compacted the source's arrays
      const { len, start, pool: cells } = source;
      for (let p = from, to = Math.min(n, from + slice); p < to; p++) {
        const label = labels[p] as number;
        const count = label < len.length ? (len[label] as number) : -1;
        outLen[p] = count;
        if (count <= 0) continue;
        if (end + count > pool.length) pool = grow(pool, Math.max(end + count, pool.length * 2), 0);
        const s = start[label] as number;
        outStart[p] = end;
        for (let j = 0; j < count; j++) pool[end + j] = cells[s + j] as number;
        end += count;
      }
      if (from + slice < n) yield;
    }
    out.pool = pool;
    out.end = end;
    return out;
  }

  private compactOrGrow(extra: number): void {
    const liveCodes = this.end - this.garbage;
    const next = new Int32Array(Math.max(1024, (liveCodes + extra) * 2));
    let end = 0;
    for (let label = 0; label < this.len.length; label++) {
      const n = this.len[label] as number;
      if (n <= 0) continue;
      const s = this.start[label] as number;
      next.set(this.pool.subarray(s, s + n), end);
      this.start[label] = end;
      end += n;
    }
    this.pool = next;
    this.end = end;
    this.garbage = 0;
  }
}

/** Serialized column (JSON-friendly): see `toJSON`/`fromJSON`. */
export type ColumnJson =
  | { name: string; type: 'number'; values: (number | null)[] }
  | { name: string; type: 'bool'; values: number[] }
  | { name: string; type: 'string'; dict: string[]; codes: number[] }
  | { name: string; type: 'string[]'; dict: string[]; lists: (number[] | null)[] };

export function newColumn(field: FieldSpec, capacity: number): Column {
  switch (field.type) {
    case 'number':
      return { name: field.name, type: 'number', values: new Float64Array(capacity).fill(Number.NaN) };
    case 'bool':
      return { name: field.name, type: 'bool', values: new Int8Array(capacity).fill(-1) };
    case 'string':
      return { name: field.name, type: 'string', codes: new Int32Array(capacity).fill(-1), dict: new Dictionary() };
    case 'string[]':
      return { name: field.name, type: 'string[]', lists: new CodeLists(capacity), dict: new Dictionary() };
  }
}

/** Grows typed arrays to at least `capacity` (doubling), keeping values. */
export function growColumn(col: Column, capacity: number): void {
  if (col.type === 'string[]') return col.lists.grow(capacity);
  const current = col.type === 'string' ? col.codes : col.values;
  if (current.length >= capacity) return;
  const size = Math.max(capacity, current.length * 2, 16);
  if (col.type === 'number') col.values = grow(col.values, size, Number.NaN);
  else if (col.type === 'bool') col.values = grow(col.values, size, -1);
  else col.codes = grow(col.codes, size, -1);
}

function grow<T extends Float64Array | Int8Array | Int32Array>(arr: T, size: number, fill: number): T {
  const next = new (arr.constructor as new (n: number) => T)(size);
  next.fill(fill);
  next.set(arr);
  return next;
}

/** Writes a value (undefined/null = missing) at `label`; the type was validated before. */
export function writeCell(col: Column, label: number, value: Scalar | string[] | undefined | null): void {
  const missing = value === undefined || value === null;
  switch (col.type) {
    case 'number':
      col.values[label] = missing ? Number.NaN : (value as number);
      return;
    case 'bool':
      col.values[label] = missing ? -1 : value ? 1 : 0;
      return;
    case 'string':
      col.codes[label] = missing ? -1 : col.dict.encode(value as string);
      return;
    case 'string[]':
      col.lists.set(label, missing ? undefined : (value as string[]).map((s) => col.dict.encode(s)));
  }
}

/** Reads a value at `label` (undefined = missing). */
export function readCell(col: Column, label: number): Scalar | string[] | undefined {
  switch (col.type) {
    case 'number': {
      const v = col.values[label];
      return v === undefined || Number.isNaN(v) ? undefined : v;
    }
    case 'bool': {
      const v = col.values[label];
      return v === undefined || v < 0 ? undefined : v === 1;
    }
    case 'string': {
      const c = col.codes[label] ?? -1;
      return c < 0 ? undefined : col.dict.value(c);
    }
    case 'string[]': {
      // straight from the pool: no view per cell (a search reads three such cells per hit)
      const lists = col.lists;
      const n = lists.length(label);
      if (n < 0) return undefined;
      const s = lists.start[label] as number;
      const pool = lists.pool;
      const out = new Array<string>(n);
      for (let j = 0; j < n; j++) out[j] = col.dict.value(pool[s + j] as number) as string;
      return out;
    }
  }
}

export function columnToJson(col: Column, size: number): ColumnJson {
  switch (col.type) {
    case 'number':
      return { name: col.name, type: 'number', values: Array.from(col.values.subarray(0, size), (v) => (Number.isNaN(v) ? null : v)) };
    case 'bool':
      return { name: col.name, type: 'bool', values: Array.from(col.values.subarray(0, size)) };
    case 'string':
      return { name: col.name, type: 'string', dict: col.dict.values, codes: Array.from(col.codes.subarray(0, size)) };
    case 'string[]':
      return { name: col.name, type: 'string[]', dict: col.dict.values, lists: Array.from({ length: size }, (_, i) => {
        const list = col.lists.at(i);
        return list === undefined ? null : Array.from(list);
      }) };
  }
}

export function columnFromJson(json: ColumnJson, capacity: number): Column {
  const col = newColumn({ name: json.name, type: json.type as ScalarType }, capacity);
  switch (json.type) {
    case 'number':
      if (col.type === 'number') json.values.forEach((v, i) => (col.values[i] = v === null ? Number.NaN : v));
      break;
    case 'bool':
      if (col.type === 'bool') col.values.set(json.values);
      break;
    case 'string':
      if (col.type === 'string') {
        json.dict.forEach((v) => col.dict.encode(v));
        col.codes.set(json.codes);
      }
      break;
    case 'string[]':
      if (col.type === 'string[]') {
        json.dict.forEach((v) => col.dict.encode(v));
        json.lists.forEach((l, i) => col.lists.set(i, l ?? undefined));
      }
  }
  return col;
}

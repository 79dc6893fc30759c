/**
 * Columnar metadata of one embedded collection, indexed by hnswlib label: numbers in a
 * Float64Array (NaN = missing), booleans in an Int8Array (-1 = missing), strings as dictionary
 * codes (-1 = missing) and string[] as arrays of codes. Filters compile against these columns, so
 * the per-neighbour check inside the ANN search is a typed-array read, never an object lookup.
 */
import type { FieldSpec, Scalar, ScalarType } from '../vector-index.ts';

/** String ↔ code dictionary (codes are dense, stable, never reused). */
export class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();

  constructor(values: string[] = []) {
    for (const v of values) this.encode(v);
  }

  encode(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }

  /** The code of a value, or -1 when the value was never stored (so nothing can match it). */
  lookup(value: string): number {
    return this.codes.get(value) ?? -1;
  }
}

export type Column =
  | { name: string; type: 'number'; values: Float64Array }
  | { name: string; type: 'bool'; values: Int8Array }
  | { name: string; type: 'string'; codes: Int32Array; dict: Dictionary }
  | { name: string; type: 'string[]'; lists: (Int32Array | undefined)[]; dict: Dictionary };

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
      return { name: field.name, type: 'string[]', lists: [], dict: new Dictionary() };
  }
}

/** Grows typed arrays to at least `capacity` (doubling), keeping values. */
export function growColumn(col: Column, capacity: number): void {
  if (col.type === 'string[]') return;
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
      col.lists[label] = missing ? undefined : Int32Array.from(value as string[], (s) => col.dict.encode(s));
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
      return c < 0 ? undefined : col.dict.values[c];
    }
    case 'string[]': {
      const list = col.lists[label];
      return list === undefined ? undefined : Array.from(list, (c) => col.dict.values[c] as string);
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
      return { name: col.name, type: 'string[]', dict: col.dict.values, lists: Array.from({ length: size }, (_, i) => (col.lists[i] ? Array.from(col.lists[i]!) : null)) };
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
        col.lists = json.lists.map((l) => (l === null ? undefined : Int32Array.from(l)));
      }
  }
  return col;
}

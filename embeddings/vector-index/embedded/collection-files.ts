/**
 * On-disk form of an embedded collection under `<home>/vector/<collection>/`:
 * `<gen>.index.bin` (hnswlib writeIndex of shard 0; shard i > 0 in `<gen>.index.<i>.bin`),
 * `<gen>.vectors.f32` (raw vectors by label), `<gen>.columns.bin` (ids as UTF-16 code units, tenant
 * codes and every metadata column, as typed arrays end to end) and `<gen>.state.json` (spec, tenants,
 * dictionaries, free labels, shard count, and where each array lies in the columns file). A million
 * records load as a few array copies: the JSON state of format 1 (still read) held every id and
 * cell, 255 MB for 1M patterns, and parsing it doubled a server's peak RSS. A save writes a new
 * generation, then atomically replaces `CURRENT` (the generation number); older generations are
 * removed afterwards. A reader therefore sees the old or the new collection, never a mix.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../core/atomic-file.ts';
import hnswlib from 'hnswlib-node';
import { AlmanacError } from '../../../core/errors.ts';
import type { CollectionSpec } from '../vector-index.ts';
import { HnswCollection, type HnswTuning } from './hnsw-collection.ts';
import { decodeCodeUnits } from './id-table.ts';
import type { TrainedLists } from './inverted-lists.ts';
import { columnFromJson, Dictionary, newColumn, type Column, type ColumnJson } from './metadata-columns.ts';

/** Format 1: everything in the JSON state (read only). */
interface CollectionStateV1 {
  format: 1;
  spec: CollectionSpec;
  nextLabel: number;
  ids: (string | null)[];
  tenants: string[];
  tenantOf: number[];
  columns: ColumnJson[];
  free: number[];
  /** Graphs (absent in collections saved before shards: one). */
  shards?: number;
}

type ArrayKind = 'f64' | 'f32' | 'i32' | 'i8' | 'u16';
/** A typed array in the columns file: byte offset (8-aligned) and element count. */
interface Segment {
  kind: ArrayKind;
  offset: number;
  length: number;
}

interface ColumnMeta {
  name: string;
  type: Column['type'];
  /** string / string[]: the dictionary, code → value, as strings (lengths, then code units). */
  dict?: [Segment, Segment];
  /** number / bool: values; string: codes; string[]: per-label list length (-1 none) then the codes end to end. */
  segments: Segment[];
}

interface CollectionStateV2 {
  format: 2;
  spec: CollectionSpec;
  nextLabel: number;
  tenants: string[];
  free: number[];
  shards: number;
  /** Per label: id length (-1 = none), then the ids' code units end to end; tenant codes. */
  ids: [Segment, Segment];
  tenantOf: Segment;
  columns: ColumnMeta[];
  /** The inverted lists' trained part (absent: none, or saved before them; load trains them when due). */
  lists?: { count: number; trainedSize: number; centroids: Segment; low: Segment; step: Segment; listOf: Segment };
}

const BYTES: Record<ArrayKind, number> = { f64: 8, f32: 4, i32: 4, i8: 1, u16: 2 };
type Typed = Float64Array | Float32Array | Int32Array | Int8Array | Uint16Array;

/** Writes typed arrays end to end, each at an 8-aligned offset. */
class ArrayFileWriter {
  private offset = 0;
  private readonly pieces: Buffer[] = [];
  add(kind: ArrayKind, array: Typed): Segment {
    const pad = (8 - (this.offset % 8)) % 8;
    if (pad > 0) this.pieces.push(Buffer.alloc(pad));
    this.offset += pad;
    const segment = { kind, offset: this.offset, length: array.length };
    this.pieces.push(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
    this.offset += array.byteLength;
    return segment;
  }
  async write(file: string): Promise<void> {
    const handle = await open(file, 'w');
    try {
      for (const piece of this.pieces) await handle.write(piece);
    } finally {
      await handle.close();
    }
  }
}

function view(buf: ArrayBuffer, s: Segment): Typed {
  if (s.offset % 8 !== 0 || s.offset + s.length * BYTES[s.kind] > buf.byteLength) throw new Error(`columns file: a segment (${s.kind} at ${s.offset}, ${s.length}) lies outside the file`);
  switch (s.kind) {
    case 'f64': return new Float64Array(buf, s.offset, s.length);
    case 'f32': return new Float32Array(buf, s.offset, s.length);
    case 'i32': return new Int32Array(buf, s.offset, s.length);
    case 'i8': return new Int8Array(buf, s.offset, s.length);
    case 'u16': return new Uint16Array(buf, s.offset, s.length);
  }
}

/** The file of shard `i`'s graph in generation `gen`. */
export const graphFile = (gen: number, shard: number): string => (shard === 0 ? `${gen}.index.bin` : `${gen}.index.${shard}.bin`);

/** The generation currently on disk, or undefined when the collection has never been saved. */
export async function currentGeneration(dir: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function saveCollection(dir: string, coll: HnswCollection, previous: number | undefined): Promise<number> {
  await mkdir(dir, { recursive: true });
  const gen = (previous ?? 0) + 1;
  const size = coll.nextLabel;
  const arrays = new ArrayFileWriter();
  const ids = stringSegments(Array.from({ length: size }, (_, label) => coll.ids.idAt(label)), arrays);
  const tenantOf = arrays.add('i32', coll.tenantOf.subarray(0, size));
  const columns = [...coll.columns.values()].map((c) => columnSegments(c, size, arrays));
  const trained = coll.lists?.trained;
  const lists = trained === undefined ? undefined : {
    count: trained.count, trainedSize: trained.trainedSize, centroids: arrays.add('f32', trained.centroids), low: arrays.add('f32', trained.low),
    step: arrays.add('f32', trained.step), listOf: arrays.add('i32', trained.listOf.subarray(0, size)),
  };
  const state: CollectionStateV2 = {
    format: 2, spec: coll.spec, nextLabel: size, tenants: coll.tenants.values, free: coll.free, shards: coll.shards.length, ids, tenantOf, columns,
    ...(lists ? { lists } : {}),
  };
  await Promise.all(coll.shards.map((graph, i) => graph.writeIndex(path.join(dir, graphFile(gen, i)))));
  const vectors = coll.vectors.subarray(0, size * coll.spec.dimension);
  await writeFile(path.join(dir, `${gen}.vectors.f32`), Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  await arrays.write(path.join(dir, `${gen}.columns.bin`));
  await writeFile(path.join(dir, `${gen}.state.json`), JSON.stringify(state));
  await writeFileAtomic(path.join(dir, 'CURRENT'), String(gen));
  await removeOtherGenerations(dir, gen);
  return gen;
}

async function removeOtherGenerations(dir: string, keep: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^(\d+)\.(index(?:\.\d+)?\.bin|vectors\.f32|columns\.bin|state\.json)$/.exec(name);
    if (m && Number(m[1]) !== keep) await rm(path.join(dir, name), { force: true });
  }
}

/** Loads generation `gen` of a collection. @throws ALMANAC_ERR_STORE_UNAVAILABLE when the files are unreadable. */
export async function loadCollection(dir: string, gen: number, tuning: HnswTuning): Promise<HnswCollection> {
  try {
    const state = JSON.parse(await readFile(path.join(dir, `${gen}.state.json`), 'utf8')) as CollectionStateV1 | CollectionStateV2;
    const shards = Array.from({ length: state.shards ?? 1 }, (_, i) => {
      const graph = new hnswlib.HierarchicalNSW(state.spec.metric, state.spec.dimension);
      graph.readIndexSync(path.join(dir, graphFile(gen, i)));
      return graph;
    });
    const capacity = Math.max(16, state.nextLabel);
    const coll = new HnswCollection(state.spec, tuning, shards, new Dictionary(state.tenants), capacity);
    let trained: TrainedLists | undefined;
    if (state.format === 1) {
      state.ids.forEach((id, label) => id !== null && coll.ids.set(label, id));
      coll.tenantOf.set(state.tenantOf);
      for (const json of state.columns) coll.columns.set(json.name, columnFromJson(json, capacity));
    } else {
      const file = await readFile(path.join(dir, `${gen}.columns.bin`));
      const buf = file.byteOffset === 0 && file.byteLength === file.buffer.byteLength ? file.buffer : new Uint8Array(file).buffer; // (a copy only for a pooled small file)
      eachString(buf, state.ids, (label, id) => coll.ids.set(label, id));
      coll.tenantOf.set(view(buf, state.tenantOf));
      for (const meta of state.columns) coll.columns.set(meta.name, columnFromSegments(meta, buf, capacity));
      if (state.lists !== undefined) {
        const l = state.lists;
        const listOf = new Int32Array(capacity).fill(-1);
        listOf.set(view(buf, l.listOf) as Int32Array);
        const copy = (seg: Segment) => Float32Array.from(view(buf, seg) as Float32Array);
        trained = { count: l.count, trainedSize: l.trainedSize, centroids: copy(l.centroids), low: copy(l.low), step: copy(l.step), listOf };
      }
    }
    await readInto(path.join(dir, `${gen}.vectors.f32`), coll.vectors);
    coll.free = state.free;
    coll.nextLabel = state.nextLabel;
    coll.reindexLabels();
    if (trained !== undefined) coll.restoreLists(trained);
    coll.maintainLists();
    return coll;
  } catch (e) {
    throw new AlmanacError('ALMANAC_ERR_STORE_UNAVAILABLE', `cannot load vector collection from ${dir} (generation ${gen}): ${(e as Error).message}`, {
      cause: e,
      retriable: false,
    });
  }
}

export function collectionExists(dir: string): boolean {
  return existsSync(path.join(dir, 'CURRENT'));
}

/** A column's arrays into the columns file. */
function columnSegments(col: Column, size: number, arrays: ArrayFileWriter): ColumnMeta {
  switch (col.type) {
    case 'number':
      return { name: col.name, type: col.type, segments: [arrays.add('f64', col.values.subarray(0, size))] };
    case 'bool':
      return { name: col.name, type: col.type, segments: [arrays.add('i8', col.values.subarray(0, size))] };
    case 'string':
      return { name: col.name, type: col.type, dict: stringSegments(col.dict.values, arrays), segments: [arrays.add('i32', col.codes.subarray(0, size))] };
    case 'string[]': {
      const lengths = new Int32Array(size);
      let total = 0;
      for (let label = 0; label < size; label++) {
        const n = col.lists.length(label);
        lengths[label] = n;
        if (n > 0) total += n;
      }
      const codes = new Int32Array(total);
      for (let label = 0, at = 0; label < size; label++) {
        const list = col.lists.at(label);
        if (list === undefined) continue;
        codes.set(list, at);
        at += list.length;
      }
      return { name: col.name, type: col.type, dict: stringSegments(col.dict.values, arrays), segments: [arrays.add('i32', lengths), arrays.add('i32', codes)] };
    }
  }
}

function columnFromSegments(meta: ColumnMeta, buf: ArrayBuffer, capacity: number): Column {
  const col = newColumn({ name: meta.name, type: meta.type }, capacity);
  const [first, second] = meta.segments;
  if (first === undefined) throw new Error(`columns file: column ${meta.name} has no arrays`);
  switch (col.type) {
    case 'number':
    case 'bool':
      col.values.set(view(buf, first) as Float64Array & Int8Array);
      break;
    case 'string':
      if (meta.dict) eachString(buf, meta.dict, (_, v) => col.dict.encode(v));
      col.codes.set(view(buf, first) as Int32Array);
      break;
    case 'string[]': {
      if (second === undefined) throw new Error(`columns file: column ${meta.name} has no codes`);
      if (meta.dict) eachString(buf, meta.dict, (_, v) => col.dict.encode(v));
      const lengths = view(buf, first) as Int32Array;
      const codes = view(buf, second) as Int32Array;
      for (let label = 0, at = 0; label < lengths.length; label++) {
        const n = lengths[label] as number;
        if (n < 0) continue;
        col.lists.set(label, codes.subarray(at, at + n));
        at += n;
      }
    }
  }
  return col;
}

/** Strings (undefined = none) as lengths (-1 = none) and their UTF-16 code units end to end. */
function stringSegments(values: readonly (string | undefined)[], arrays: ArrayFileWriter): [Segment, Segment] {
  const lengths = new Int32Array(values.length);
  let total = 0;
  values.forEach((v, i) => {
    lengths[i] = v === undefined ? -1 : v.length;
    total += v?.length ?? 0;
  });
  const units = new Uint16Array(total);
  let at = 0;
  for (const v of values) {
    if (v === undefined) continue;
    for (let j = 0; j < v.length; j++) units[at++] = v.charCodeAt(j);
  }
  return [arrays.add('i32', lengths), arrays.add('u16', units)];
}

function eachString(buf: ArrayBuffer, [lengthsAt, unitsAt]: [Segment, Segment], fn: (index: number, value: string) => void): void {
  const lengths = view(buf, lengthsAt) as Int32Array;
  const units = view(buf, unitsAt) as Uint16Array;
  for (let i = 0, at = 0; i < lengths.length; i++) {
    const n = lengths[i] as number;
    if (n < 0) continue;
    if (at + n > units.length) throw new Error('columns file: a string runs past its array');
    fn(i, decodeCodeUnits(units.subarray(at, at + n)));
    at += n;
  }
}

/** Reads a raw file straight into a typed array's memory (no whole-file buffer and copies beside it). */
async function readInto(file: string, target: Float32Array): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > target.byteLength || size % target.BYTES_PER_ELEMENT !== 0) throw new Error(`${path.basename(file)} holds ${size} bytes, not a whole number of vectors within the collection's ${target.byteLength}`);
    const bytes = new Uint8Array(target.buffer, target.byteOffset, size);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(size - at, 1 << 26), at);
      if (bytesRead === 0) throw new Error(`${path.basename(file)} ended at byte ${at} of ${size}`);
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

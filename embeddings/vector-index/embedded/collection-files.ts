/**
 * On-disk form of an embedded collection under `<home>/vector/<collection>/`:
 * `<gen>.index.bin` (hnswlib writeIndex of shard 0; shard i > 0 in `<gen>.index.<i>.bin`),
 * `<gen>.vectors.f32` (raw vectors by label) and `<gen>.state.json` (spec, ids, tenants, columnar
 * metadata, free labels, shard count). A save writes a new
 * generation, then atomically replaces `CURRENT` (the generation number); older generations are
 * removed afterwards. A reader therefore sees the old or the new collection, never a mix.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../core/atomic-file.ts';
import hnswlib from 'hnswlib-node';
import { AlmanacError } from '../../../core/errors.ts';
import type { CollectionSpec } from '../vector-index.ts';
import { HnswCollection, type HnswTuning } from './hnsw-collection.ts';
import { columnFromJson, columnToJson, Dictionary, type ColumnJson } from './metadata-columns.ts';

interface CollectionState {
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
  const state: CollectionState = {
    format: 1,
    spec: coll.spec,
    nextLabel: size,
    ids: Array.from({ length: size }, (_, label) => coll.ids.idAt(label) ?? null),
    tenants: coll.tenants.values,
    tenantOf: Array.from(coll.tenantOf.subarray(0, size)),
    columns: [...coll.columns.values()].map((c) => columnToJson(c, size)),
    free: coll.free,
    shards: coll.shards.length,
  };
  await Promise.all(coll.shards.map((graph, i) => graph.writeIndex(path.join(dir, graphFile(gen, i)))));
  const vectors = coll.vectors.subarray(0, size * coll.spec.dimension);
  await writeFile(path.join(dir, `${gen}.vectors.f32`), Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  await writeFile(path.join(dir, `${gen}.state.json`), JSON.stringify(state));
  await writeFileAtomic(path.join(dir, 'CURRENT'), String(gen));
  await removeOtherGenerations(dir, gen);
  return gen;
}

async function removeOtherGenerations(dir: string, keep: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^(\d+)\.(index(?:\.\d+)?\.bin|vectors\.f32|state\.json)$/.exec(name);
    if (m && Number(m[1]) !== keep) await rm(path.join(dir, name), { force: true });
  }
}

/** Loads generation `gen` of a collection. @throws ALMANAC_ERR_STORE_UNAVAILABLE when the files are unreadable. */
export async function loadCollection(dir: string, gen: number, tuning: HnswTuning): Promise<HnswCollection> {
  try {
    const state = JSON.parse(await readFile(path.join(dir, `${gen}.state.json`), 'utf8')) as CollectionState;
    const shards = Array.from({ length: state.shards ?? 1 }, (_, i) => {
      const graph = new hnswlib.HierarchicalNSW(state.spec.metric, state.spec.dimension);
      graph.readIndexSync(path.join(dir, graphFile(gen, i)));
      return graph;
    });
    const capacity = Math.max(16, state.nextLabel);
    const coll = new HnswCollection(state.spec, tuning, shards, new Dictionary(state.tenants), capacity);
    state.ids.forEach((id, label) => id !== null && coll.ids.set(label, id));
    coll.tenantOf.set(state.tenantOf);
    for (const json of state.columns) coll.columns.set(json.name, columnFromJson(json, capacity));
    const raw = await readFile(path.join(dir, `${gen}.vectors.f32`));
    coll.vectors.set(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
    coll.free = state.free;
    coll.nextLabel = state.nextLabel;
    coll.reindexLabels();
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

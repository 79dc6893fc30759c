/**
 * On-disk form of an embedded collection under `<home>/vector/<collection>/`:
 * `<gen>.index.bin` (hnswlib writeIndex), `<gen>.vectors.f32` (raw vectors by label) and
 * `<gen>.state.json` (spec, ids, tenants, columnar metadata, free labels). A save writes a new
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
}

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
  };
  await coll.index.writeIndex(path.join(dir, `${gen}.index.bin`));
  const vectors = coll.vectors.subarray(0, size * coll.spec.dimension);
  await writeFile(path.join(dir, `${gen}.vectors.f32`), Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  await writeFile(path.join(dir, `${gen}.state.json`), JSON.stringify(state));
  await writeFileAtomic(path.join(dir, 'CURRENT'), String(gen));
  await removeOtherGenerations(dir, gen);
  return gen;
}

async function removeOtherGenerations(dir: string, keep: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^(\d+)\.(index\.bin|vectors\.f32|state\.json)$/.exec(name);
    if (m && Number(m[1]) !== keep) await rm(path.join(dir, name), { force: true });
  }
}

/** Loads generation `gen` of a collection. @throws ALMANAC_ERR_STORE_UNAVAILABLE when the files are unreadable. */
export async function loadCollection(dir: string, gen: number, tuning: HnswTuning): Promise<HnswCollection> {
  try {
    const state = JSON.parse(await readFile(path.join(dir, `${gen}.state.json`), 'utf8')) as CollectionState;
    const index = new hnswlib.HierarchicalNSW(state.spec.metric, state.spec.dimension);
    index.readIndexSync(path.join(dir, `${gen}.index.bin`));
    const coll = new HnswCollection(state.spec, tuning, index, new Dictionary(state.tenants));
    const capacity = index.getMaxElements();
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

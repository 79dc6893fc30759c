/**
 * Embedded VectorIndex: one hnswlib HNSW graph per collection (see hnsw-collection.ts), filters
 * compiled to label predicates and pushed into the graph walk, tenants as partitions (tiny tenant
 * partitions are scanned exactly), persisted under `<home>/vector/<collection>/` and loaded lazily.
 * Writes are serialized and persisted before they resolve; reads notice a newer generation written
 * by another process (checked at most once a second) and reload it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { invalidInput, notFound } from '../../../core/errors.ts';
import type { CollectionSpec, SearchHit, SearchQuery, VectorIndex, VectorIndexCapability, VectorRecord } from '../vector-index.ts';
import { AliasFile } from './alias-file.ts';
import { collectionExists, currentGeneration, loadCollection, saveCollection } from './collection-files.ts';
import { DEFAULT_TUNING, HnswCollection, type HnswTuning } from './hnsw-collection.ts';
import { checkName, checkQueryVector, checkRecords, checkSpec } from '../record-check.ts';

export interface EmbeddedVectorIndexOptions {
  /** HNSW parameters (M, efConstruction, default ef, exact-scan threshold). */
  tuning?: Partial<HnswTuning>;
  /** false = memory only (benchmarks); default true. */
  persist?: boolean;
  /** How often (ms) a read checks for a generation saved by another process. */
  freshnessMs?: number;
}

interface Loaded {
  coll: HnswCollection;
  gen: number | undefined;
  checkedAt: number;
}

/** The embedded VectorIndex under `<home>/vector`. */
export function createEmbeddedVectorIndex(config: AlmanacConfig, options: EmbeddedVectorIndexOptions = {}): VectorIndex {
  const { m, efConstruction } = config.vector.embedded;
  const configured: Partial<HnswTuning> = { ...(m !== undefined ? { m } : {}), ...(efConstruction !== undefined ? { efConstruction } : {}) };
  return new EmbeddedVectorIndex(homePath(config, 'vector'), { ...options, tuning: { ...configured, ...options.tuning } });
}

class EmbeddedVectorIndex implements VectorIndex {
  readonly kind = 'embedded';
  readonly capabilities: ReadonlySet<VectorIndexCapability>;
  private readonly tuning: HnswTuning;
  private readonly persist: boolean;
  private readonly freshnessMs: number;
  private readonly aliases: AliasFile;
  private readonly loaded = new Map<string, Loaded>();
  private readonly loading = new Map<string, Promise<Loaded>>();
  private memoryAliases: Record<string, string> = {};
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string, options: EmbeddedVectorIndexOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.persist = options.persist ?? true;
    this.freshnessMs = options.freshnessMs ?? 1000;
    this.aliases = new AliasFile(dir);
    this.capabilities = new Set<VectorIndexCapability>(this.persist ? ['aliases', 'persist'] : ['aliases']);
  }

  async init(): Promise<void> {
    if (this.persist) await mkdir(this.dir, { recursive: true });
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
    this.loaded.clear();
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    checkSpec(spec);
    return this.serialized(async () => {
      if (this.exists(spec.name)) {
        const { coll } = await this.open(spec.name);
        if (coll.spec.dimension !== spec.dimension || coll.spec.metric !== spec.metric) {
          throw invalidInput(
            `collection '${spec.name}' exists with dimension ${coll.spec.dimension}/${coll.spec.metric}, asked ${spec.dimension}/${spec.metric}; drop it or use another name`,
            [{ path: 'dimension', reason: 'does not match the existing collection' }],
          );
        }
        return;
      }
      const entry: Loaded = { coll: new HnswCollection(spec, this.tuning), gen: undefined, checkedAt: Date.now() };
      this.loaded.set(spec.name, entry);
      await this.save(spec.name, entry);
    });
  }

  async dropCollection(name: string): Promise<void> {
    checkName('collection', name);
    return this.serialized(async () => {
      this.loaded.delete(name);
      if (this.persist) await rm(path.join(this.dir, name), { recursive: true, force: true });
      const aliases = { ...this.aliasMap() };
      const dangling = Object.keys(aliases).filter((a) => aliases[a] === name);
      if (dangling.length > 0) {
        for (const a of dangling) delete aliases[a];
        this.writeAliases(aliases);
      }
    });
  }

  async listCollections(): Promise<string[]> {
    const names = new Set(this.loaded.keys());
    if (this.persist && existsSync(this.dir)) {
      for (const e of await readdir(this.dir, { withFileTypes: true })) {
        if (e.isDirectory() && collectionExists(path.join(this.dir, e.name))) names.add(e.name);
      }
    }
    return [...names].sort();
  }

  async upsert(collection: string, records: VectorRecord[]): Promise<void> {
    return this.serialized(async () => {
      const name = this.resolveName(collection);
      const entry = await this.open(name);
      checkRecords(name, entry.coll.spec.dimension, entry.coll.fields, records);
      const lastById = new Map(records.map((r) => [r.id, r]));
      await entry.coll.upsert([...lastById.values()]);
      await this.save(name, entry);
    });
  }

  async delete(collection: string, ids: string[]): Promise<void> {
    return this.serialized(async () => {
      const name = this.resolveName(collection);
      const entry = await this.open(name);
      if (entry.coll.delete(ids) > 0) await this.save(name, entry);
    });
  }

  async search(collection: string, query: SearchQuery): Promise<SearchHit[]> {
    const { coll } = await this.read(collection);
    checkQueryVector(query.vector, coll.spec.dimension);
    if (!Number.isInteger(query.topK) || query.topK < 1) {
      throw invalidInput(`invalid search: topK must be an integer ≥ 1, got ${String(query.topK)}`, [{ path: 'query.topK', reason: 'must be an integer ≥ 1' }]);
    }
    return coll.search(query);
  }

  async get(collection: string, ids: string[]): Promise<VectorRecord[]> {
    return (await this.read(collection)).coll.get(ids);
  }

  async count(collection: string): Promise<number> {
    return (await this.read(collection)).coll.size;
  }

  async setAlias(alias: string, collection: string): Promise<void> {
    checkName('alias', alias);
    return this.serialized(async () => {
      if (!this.exists(collection)) throw notFound('vector collection', collection);
      this.writeAliases({ ...this.aliasMap(), [alias]: collection });
    });
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    return this.aliasMap()[alias];
  }

  async ping(): Promise<boolean> {
    return !this.persist || existsSync(this.dir);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private aliasMap(): Record<string, string> {
    return this.persist ? this.aliases.read() : this.memoryAliases;
  }

  private writeAliases(aliases: Record<string, string>): void {
    if (this.persist) this.aliases.write(aliases);
    else this.memoryAliases = aliases;
  }

  private exists(name: string): boolean {
    return this.loaded.has(name) || (this.persist && collectionExists(path.join(this.dir, name)));
  }

  /** A collection name, or the collection an alias points to. @throws ALMANAC_ERR_INPUT_NOT_FOUND */
  private resolveName(name: string): string {
    if (this.exists(name)) return name;
    const target = this.aliasMap()[name];
    if (target !== undefined && this.exists(target)) return target;
    throw notFound('vector collection', name);
  }

  private async read(collection: string): Promise<Loaded> {
    const name = this.resolveName(collection);
    const entry = await this.open(name);
    if (!this.persist || Date.now() - entry.checkedAt < this.freshnessMs) return entry;
    entry.checkedAt = Date.now();
    const gen = await currentGeneration(path.join(this.dir, name));
    if (gen === undefined || gen === entry.gen) return entry;
    this.loaded.delete(name);
    return this.open(name);
  }

  private async open(name: string): Promise<Loaded> {
    const hit = this.loaded.get(name);
    if (hit !== undefined) return hit;
    let pending = this.loading.get(name);
    if (pending === undefined) {
      pending = this.load(name).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  private async load(name: string): Promise<Loaded> {
    const dir = path.join(this.dir, name);
    const gen = await currentGeneration(dir);
    if (gen === undefined) throw notFound('vector collection', name);
    const entry: Loaded = { coll: await loadCollection(dir, gen, this.tuning), gen, checkedAt: Date.now() };
    this.loaded.set(name, entry);
    return entry;
  }

  private async save(name: string, entry: Loaded): Promise<void> {
    if (!this.persist) return;
    const dir = path.join(this.dir, name);
    entry.gen = await saveCollection(dir, entry.coll, entry.gen ?? (await currentGeneration(dir)));
    entry.checkedAt = Date.now();
  }
}

/**
 * One embedded collection: hnswlib HNSW graphs (shards: label l lives in graph l mod shards) plus
 * string ids mapped to hnswlib labels (id-table.ts), tenant codes, tenant partitions
 * (label-lists.ts) and columnar metadata indexed by label — typed arrays throughout, so a million
 * records add no million objects to the JS heap. Deleted labels are marked deleted in their graph
 * and reused by later inserts (hnswlib re-links a reused label), so churn does not grow it.
 *
 * Shards exist so that a large upsert builds them in parallel, one worker thread each
 * (shard-builder.ts); a search walks every shard and merges. A collection starts with one graph
 * (a search of many small graphs costs more than of one); the first upsert of at least
 * `parallelBuildMin` records that is larger than the collection re-shards it into `shards` graphs,
 * built from scratch in the workers with the records it already has. Small upserts add in place.
 *
 * A cosine collection of `listsMin` records or more is searched through inverted lists instead
 * (inverted-lists.ts: k-means lists of 8-bit codes scanned in WebAssembly, reranked by the exact
 * vectors); its graphs are still kept and saved.
 */
import os from 'node:os';
import hnswlib from 'hnswlib-node';
import type { CollectionSpec, FieldSpec, SearchHit, SearchQuery, VectorRecord } from '../vector-index.ts';
import { compileFilter, type CompiledFilter, type FilterTarget } from './compile-filter.ts';
import { bruteForceSearch, scoreOf, type LabelSource, type Neighbour } from './exact-search.ts';
import { IdTable } from './id-table.ts';
import { CODE_SCAN_DIMENSION_MAX, strideFor } from './code-scan.ts';
import { InvertedLists, probesFor, type ListSource, type TrainedLists } from './inverted-lists.ts';
import { LabelLists } from './label-lists.ts';
import { LabelPostings } from './label-postings.ts';
import { buildShards, releaseGraph } from './shard-builder.ts';
import { Dictionary, growColumn, newColumn, readCell, writeCell, type Column } from './metadata-columns.ts';

export interface HnswTuning {
  /** Graph degree (hnswlib M). */
  m: number;
  efConstruction: number;
  /** Default search breadth when a query gives none. */
  ef: number;
  /** Partitions (tenant subsets or whole collections) this small are searched exactly. */
  bruteForceMax: number;
  /**
   * A filtered search whose estimated matches (sampled from the metadata columns) are at most this
   * many is answered by an exact scan of the matches instead of a filtered graph walk (which visits
   * ever more nodes as the filter gets more selective). 0 disables it.
   */
  exactMatchesMax: number;
  /**
   * A filtered search whose smallest candidate source (tenant partitions or one condition's
   * inverted lists) holds at most this many labels scans them exactly: a scan costs ~0.1 ms per
   * 1000 labels, while a graph walk whose filter passes few of the query's neighbours visits much
   * of the graph (tens of ms). 0 disables it.
   */
  exactScanMax: number;
  randomSeed: number;
  /** Graphs a bulk load builds in parallel (see the class comment; a saved collection keeps its own count). */
  shards: number;
  /** An upsert of at least this many records builds its shards in worker threads. 0 disables it. */
  parallelBuildMin: number;
  /**
   * A cosine collection of at least this many records is searched through inverted lists
   * (inverted-lists.ts) instead of its graphs, where a walk would leave the filters' passing records
   * scattered and far queries in one region (up to 4,096 dimensions: code-scan.ts). 0 disables them.
   */
  listsMin: number;
}

/**
 * ef 128: recall@10 ≥ 0.99 on uniform random dim-32 vectors (bench/ann.bench.ts ANN_DATA=random); ef 64 gave 0.94.
 * efConstruction 100 builds 1.8–2.1× faster than 200 for the same recall on clustered dim-64 vectors
 * (1.0 at ef 64, 100k) and 0.01–0.015 less on uniform random dim-64 ones (0.848 vs 0.863 at ef 256).
 */
export const DEFAULT_TUNING: HnswTuning = {
  m: 16, efConstruction: 100, ef: 128, bruteForceMax: 1024, exactMatchesMax: 4096, exactScanMax: 32_768, randomSeed: 100,
  shards: Math.max(1, Math.min(4, os.availableParallelism())), parallelBuildMin: 20_000, listsMin: 100_000,
};

/** Bytes of 8-bit codes the inverted lists hold at most (a 32-bit WebAssembly memory is 4 GiB). */
const LIST_CODES_MAX = 2 ** 31;

/** Label capacity of a new collection. */
const INITIAL_CAPACITY = 1024;

/** Labels sampled to estimate how many records a filter matches. */
const SELECTIVITY_SAMPLES = 1024;
/** A filter passing at least this share of records is applied after a plain graph walk (see postFiltered). */
const POST_FILTER_MIN_RATE = 0.3;
/** The widest plain walk a post-filtered search makes. */
const POST_FILTER_MAX = 1000;

function once<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) { value = fn(); done = true; }
    return value;
  };
}

export class HnswCollection {
  readonly spec: CollectionSpec;
  readonly tuning: HnswTuning;
  /** The graphs; label l is in shards[l % shards.length]. */
  shards: hnswlib.HierarchicalNSW[];
  /** Labels the columns and arrays have room for. */
  capacity: number;
  readonly fields: Map<string, FieldSpec>;
  readonly columns = new Map<string, Column>();
  readonly tenants: Dictionary;
  readonly ids = new IdTable();
  tenantOf: Int32Array;
  vectors: Float32Array;
  /** Euclidean norm of each stored vector (cosine exact scans divide by it instead of recomputing it). */
  norms: Float32Array;
  free: number[] = [];
  nextLabel = 0;
  /** Builds a record's metadata object (compiled for the columns' names, in the columns' order). */
  private readonly readMetadata: MetadataReader;
  /** What filters compile against (the arrays are read through it, so it holds across growth and loads). */
  private readonly filterTarget: FilterTarget;
  /** The inverted lists, once the collection is large enough (see HnswTuning.listsMin). */
  lists: InvertedLists | undefined;
  /** Labels by tenant code: the tenant partitions. */
  private readonly partitions = new LabelLists(true);
  private readonly postings = new LabelPostings();

  /** `shards`: the loaded graphs with `capacity` (≥ the saved labels); none = a new, empty collection. */
  constructor(spec: CollectionSpec, tuning: HnswTuning, shards?: hnswlib.HierarchicalNSW[], tenants = new Dictionary(), capacity = INITIAL_CAPACITY) {
    this.spec = spec;
    this.tuning = tuning;
    this.fields = new Map(spec.fields.map((f) => [f.name, f]));
    this.tenants = tenants;
    this.capacity = capacity;
    if (shards === undefined || shards.length === 0) {
      this.shards = [this.newGraph(capacity)];
    } else {
      this.shards = shards;
    }
    for (const f of spec.fields) this.columns.set(f.name, newColumn(f, capacity));
    // a load replaces the columns by name, which keeps their order: the reader's positions hold
    this.readMetadata = compileMetadataReader([...this.columns.keys()]);
    this.filterTarget = { collection: spec.name, columns: this.columns, tenants: this.tenants, tenantOf: () => this.tenantOf };
    this.tenantOf = new Int32Array(capacity).fill(-1);
    this.vectors = new Float32Array(capacity * spec.dimension);
    this.norms = new Float32Array(capacity);
  }

  get size(): number {
    return this.ids.size;
  }

  private newGraph(maxElements: number): hnswlib.HierarchicalNSW {
    const graph = new hnswlib.HierarchicalNSW(this.spec.metric, this.spec.dimension);
    graph.initIndex({ maxElements: Math.max(16, maxElements), m: this.tuning.m, efConstruction: this.tuning.efConstruction, randomSeed: this.tuning.randomSeed });
    return graph;
  }

  private graphOf(label: number): hnswlib.HierarchicalNSW {
    return this.shards[label % this.shards.length] as hnswlib.HierarchicalNSW;
  }

  /** Rebuilds the norms and tenant partitions after loading state (ids set). */
  reindexLabels(): void {
    this.partitions.clear();
    this.postings.clear();
    for (const label of this.ids.labels()) {
      this.norms[label] = this.normAt(label);
      this.partitions.add(this.tenantOf[label] as number, label);
    }
  }

  /**
   * Upserts validated records with distinct ids. At least `parallelBuildMin` of them are added to
   * the graphs in worker threads, one per shard; the collection changes only once every graph is
   * built (a search meanwhile sees it as it was), and if a worker cannot run, the records are added
   * here instead.
   */
  async upsert(records: VectorRecord[]): Promise<void> {
    const fresh = records.filter((r) => this.ids.labelOf(r.id) < 0).length;
    this.ensureCapacity(this.nextLabel + Math.max(0, fresh - this.free.length));
    const min = this.tuning.parallelBuildMin;
    if (!(min > 0 && records.length >= min && (await this.upsertInWorkers(records)))) {
      for (const r of records) this.put(r, this.labelFor(r.id), true);
    }
    this.maintainLists();
  }

  /** What the inverted lists read (the arrays are replaced as the collection grows). */
  private get listSource(): ListSource {
    return {
      dimension: this.spec.dimension, vectors: this.vectors, norms: this.norms, end: this.nextLabel, live: this.ids, seed: this.tuning.randomSeed,
      target: this.filterTarget,
    };
  }

  /** Lists read back with the collection (its labels, norms and columns loaded): packed for search. */
  restoreLists(trained: TrainedLists): void {
    if (this.spec.metric !== 'cosine' || this.tuning.listsMin <= 0) return;
    if (trained.low.length !== this.spec.dimension) throw new Error(`inverted lists of ${trained.low.length} dimensions in a collection of ${this.spec.dimension}`);
    const lists = new InvertedLists(trained);
    lists.grow(this.capacity);
    lists.pack(this.listSource);
    this.lists = lists;
  }

  /**
   * After writes: inverted lists trained once a cosine collection reaches listsMin records, trained
   * again when it has doubled since; dropped when the collection falls below half of listsMin.
   * (A search packs them again when their overflow is crowded.)
   */
  maintainLists(): void {
    const min = this.tuning.listsMin;
    if (min <= 0 || this.spec.metric !== 'cosine') return;
    if (this.spec.dimension > CODE_SCAN_DIMENSION_MAX || this.size * strideFor(this.spec.dimension) > LIST_CODES_MAX) {
      this.lists = undefined; // more dimensions than the scan takes, or codes past what one WebAssembly memory holds: the graphs serve
      return;
    }
    const lists = this.lists;
    if (lists === undefined) {
      if (this.size >= min) this.lists = InvertedLists.train(this.listSource, this.size);
    } else if (this.size < min / 2) {
      this.lists = undefined;
    } else if (this.size >= 2 * lists.trainedSize) {
      this.lists = InvertedLists.train(this.listSource, this.size);
    }
  }

  /** The label an upsert of `id` writes: its own, else a free one, else the next. */
  private labelFor(id: string): number {
    const label = this.ids.labelOf(id);
    return label >= 0 ? label : (this.free.pop() ?? this.nextLabel++);
  }

  /** False when the workers could not build (nothing changed then). */
  private async upsertInWorkers(records: VectorRecord[]): Promise<boolean> {
    const free = [...this.free];
    let next = this.nextLabel;
    const labels = records.map((r) => {
      const own = this.ids.labelOf(r.id);
      return own >= 0 ? own : (free.pop() ?? next++);
    });
    const d = this.spec.dimension;
    const target = Math.max(1, Math.floor(this.tuning.shards));
    // re-shard: new graphs with the records already here (the batch is the larger part of the work)
    const reshard = target !== this.shards.length && this.size <= records.length;
    const count = reshard ? target : this.shards.length;
    const batch = new Set(labels);
    const kept = reshard ? [...this.ids.labels()].filter((label) => !batch.has(label)) : [];
    const jobs = Array.from({ length: count }, (_, shard) => {
      const graph = reshard ? undefined : this.shards[shard];
      const mine = labels.flatMap((label, i) => (label % count === shard ? [i] : []));
      const old = kept.filter((label) => label % count === shard);
      const vectors = new Float32Array((old.length + mine.length) * d);
      old.forEach((label, at) => vectors.set(this.vectors.subarray(label * d, (label + 1) * d), at * d));
      mine.forEach((i, at) => vectors.set((records[i] as VectorRecord).vector, (old.length + at) * d));
      const all = Float64Array.from([...old, ...mine.map((i) => labels[i] as number)]);
      const stored = graph?.getCurrentCount() ?? 0;
      return { graph, capacity: Math.max(graph?.getMaxElements() ?? 0, stored + all.length, Math.ceil(this.capacity / count)), labels: all, vectors };
    });
    let built: hnswlib.HierarchicalNSW[];
    try {
      built = await buildShards(this.spec, this.tuning, jobs.filter((j) => j.labels.length > 0));
    } catch (e) {
      process.emitWarning(`embedded vector index: the parallel build of ${this.spec.name} failed (${(e as Error).message}); adding its ${records.length} records in this thread`);
      return false;
    }
    let at = 0;
    const replaced = this.shards;
    this.shards = jobs.map((job) => (job.labels.length > 0 ? (built[at++] as hnswlib.HierarchicalNSW) : (job.graph ?? this.newGraph(job.capacity))));
    for (const old of replaced) if (!this.shards.includes(old)) releaseGraph(old, this.tuning);
    this.free = free;
    this.nextLabel = next;
    records.forEach((r, i) => this.put(r, labels[i] as number, false));
    return true;
  }

  /** Writes a record at `label` (its own, or a new one already taken from the free list or the end). */
  private put(r: VectorRecord, label: number, addToGraph: boolean): void {
    if (this.ids.labelOf(r.id) < 0) {
      this.ids.set(label, r.id);
    } else {
      this.partitions.remove(this.tenantOf[label] as number, label);
    }
    const vector = Array.from(r.vector);
    if (addToGraph) {
      const graph = this.graphOf(label);
      // a graph read back empty has maxElements 0 (hnswlib loads max(saved count, 0)): grow it from 16
      if (graph.getCurrentCount() >= graph.getMaxElements()) graph.resizeIndex(Math.max(16, graph.getMaxElements() * 2));
      graph.addPoint(vector, label);
    }
    this.vectors.set(vector, label * this.spec.dimension);
    this.norms[label] = this.normAt(label);
    const tenant = this.tenants.encode(r.tenant);
    this.tenantOf[label] = tenant;
    this.partitions.add(tenant, label);
    for (const col of this.columns.values()) {
      this.postings.beforeWrite(col, label);
      writeCell(col, label, r.metadata?.[col.name]);
      this.postings.afterWrite(col, label);
    }
    this.lists?.written(this.listSource, label);
  }

  /** Deletes by id; unknown ids are ignored. Returns how many were deleted. */
  delete(ids: string[]): number {
    let n = 0;
    for (const id of ids) {
      const label = this.ids.labelOf(id);
      if (label < 0) continue;
      this.graphOf(label).markDelete(label);
      this.ids.remove(label);
      this.partitions.remove(this.tenantOf[label] as number, label);
      this.tenantOf[label] = -1;
      for (const col of this.columns.values()) {
        this.postings.beforeWrite(col, label);
        writeCell(col, label, undefined);
      }
      this.lists?.deleted(label);
      this.free.push(label);
      n++;
    }
    if (n > 0) this.maintainLists();
    return n;
  }

  get(ids: string[]): VectorRecord[] {
    const out: VectorRecord[] = [];
    for (const id of ids) {
      const label = this.ids.labelOf(id);
      if (label >= 0) out.push(this.recordAt(label));
    }
    return out;
  }

  /** Top-K: over a small partition exactly, else through the inverted lists when the collection has them, else by a graph walk with the filter applied inside it (hnswlib filter callback) or after it. */
  search(query: SearchQuery): SearchHit[] {
    const compiled = compileFilter(this.filterTarget, query.filter);
    const k = Math.min(query.topK, this.size);
    if (compiled.empty || k <= 0) return [];
    const neighbours = this.neighbours(query, compiled, k);
    const columns = Array.from(this.columns.values());
    return neighbours.map((n) => this.hitAt(n, query.includeVectors === true, columns));
  }

  private neighbours(query: SearchQuery, compiled: CompiledFilter, k: number): Neighbour[] {
    const filtered = query.filter?.tenants !== undefined || (query.filter?.conditions?.length ?? 0) > 0;
    const estimate = once(() => this.estimateMatches(compiled));
    const partition = this.exactScan(compiled, filtered, estimate);
    if (partition !== undefined) {
      return bruteForceSearch(this.spec.metric, this.spec.dimension, this.vectors, query.vector, partition, compiled.predicate, k, this.norms);
    }
    const ef = query.ef ?? this.tuning.ef;
    if (this.lists !== undefined) {
      // packed when a search finds the overflow crowded, not after each write: a bulk load of many upserts packs once
      if (this.lists.crowded) this.lists.pack(this.listSource);
      return this.lists.search(this.listSource, query.vector, k, probesFor(ef), query.filter, compiled);
    }
    const vector = Array.from(query.vector);
    if (filtered) {
      const post = this.postFiltered(vector, ef, compiled, k, estimate());
      if (post !== undefined) return post;
    }
    const out: Neighbour[] = [];
    for (const graph of this.shards) {
      if (graph.getCurrentCount() === 0) continue;
      const kk = Math.min(k, graph.getMaxElements());
      graph.setEf(Math.max(ef, kk));
      const result = filtered ? graph.searchKnn(vector, kk, compiled.predicate) : graph.searchKnn(vector, kk);
      for (let i = 0; i < result.neighbors.length; i++) out.push({ label: result.neighbors[i] as number, distance: result.distances[i] as number });
    }
    return this.shards.length === 1 ? out : nearest(out, k);
  }

  /**
   * A filter most records pass (estimated pass rate ≥ POST_FILTER_MIN_RATE): in each shard, the
   * plain graph walk for ⌈1.5·k / rate⌉ + 10 neighbours (no per-node callback into JS), then the
   * predicate over them, nearest first. Undefined when a shard's walk did not cover it and fewer
   * than k of it passed (the caller walks with the filter).
   */
  private postFiltered(vector: number[], ef: number, compiled: CompiledFilter, k: number, matches: number): Neighbour[] | undefined {
    const rate = matches / this.size;
    if (rate < POST_FILTER_MIN_RATE) return undefined;
    const wide = Math.min(this.size, Math.ceil((1.5 * k) / rate) + 10);
    if (wide > POST_FILTER_MAX) return undefined;
    const out: Neighbour[] = [];
    for (const graph of this.shards) {
      const stored = graph.getCurrentCount();
      if (stored === 0) continue;
      const w = Math.min(wide, graph.getMaxElements());
      graph.setEf(Math.max(ef, w));
      const result = graph.searchKnn(vector, w);
      let passed = 0;
      for (let i = 0; i < result.neighbors.length && passed < k; i++) {
        const label = result.neighbors[i] as number;
        if (compiled.predicate(label)) {
          out.push({ label, distance: result.distances[i] as number });
          passed++;
        }
      }
      if (passed < k && w < stored) return undefined;
    }
    return this.shards.length === 1 ? out : nearest(out, k);
  }

  /**
   * The labels an exact scan would cover for this filter — a small tenant partition, a small
   * collection, or the matches of a selective filter — or undefined when the graph walk is used.
   */
  exactScan(compiled: CompiledFilter, filtered: boolean, estimate = () => this.estimateMatches(compiled)): LabelSource[] | undefined {
    return this.partition(compiled) ?? (filtered ? this.selectivePartition(compiled, estimate) : undefined);
  }

  /** Labels to scan exactly when the candidate partition is small, else undefined (use the graph). */
  private partition(compiled: CompiledFilter): LabelSource[] | undefined {
    const max = this.tuning.bruteForceMax;
    if (compiled.tenantCodes !== undefined) {
      const lists = compiled.tenantCodes.map((c) => this.partitions.of(c));
      const total = lists.reduce((s, list) => s + list.length, 0);
      if (total <= max) return lists;
    }
    if (this.size <= max) return [{ start: 0, end: this.nextLabel, live: this.ids }];
    return undefined;
  }

  /**
   * The labels to scan exactly when the filter is selective: the smallest candidate source (the
   * asked tenants' partitions, the inverted lists of one eq / in / contains_any condition, or every
   * live label) when it is small (≤ exactScanMax labels), or when the estimated matches (the
   * predicate's pass rate over a sample of labels, times the size) are at most exactMatchesMax.
   * Undefined = walk the graph.
   */
  private selectivePartition(compiled: CompiledFilter, estimate: () => number): LabelSource[] | undefined {
    const max = this.tuning.exactMatchesMax;
    if (max <= 0 || this.size <= 0) return undefined;
    const candidates = this.smallestSource(compiled);
    // the inverted lists scan on until enough records pass, which costs less than an exact scan of a large source however few pass
    if (candidates.size > this.tuning.exactScanMax && (this.lists !== undefined || estimate() > max)) return undefined;
    return candidates.sources;
  }

  private smallestSource(compiled: CompiledFilter): { sources: LabelSource[]; size: number } {
    let best: { sources: LabelSource[]; size: number } = { sources: [{ start: 0, end: this.nextLabel, live: this.ids }], size: this.size };
    const consider = (lists: Int32Array[]) => {
      const size = lists.reduce((s, list) => s + list.length, 0);
      if (size < best.size) best = { sources: lists, size };
    };
    if (compiled.tenantCodes !== undefined) consider(compiled.tenantCodes.map((c) => this.partitions.of(c)));
    for (const p of compiled.postings) {
      const lists = this.postings.of(this.columns.get(p.field) as Column, this.nextLabel);
      if (lists !== undefined) consider(p.codes.map((c) => lists.of(c)));
    }
    return best;
  }

  /** Estimated number of live records passing the filter (a deterministic stride sample of labels). */
  estimateMatches(compiled: CompiledFilter): number {
    const end = this.nextLabel;
    const step = Math.max(1, end / SELECTIVITY_SAMPLES);
    let sampled = 0;
    let passed = 0;
    for (let at = step / 2; at < end; at += step) {
      const label = Math.floor(at);
      if (!this.ids.has(label)) continue;
      sampled++;
      if (compiled.predicate(label)) passed++;
    }
    return sampled === 0 ? 0 : (passed / sampled) * this.size;
  }

  /** `columns`: this.columns' values in order, taken once per search. */
  private hitAt(n: Neighbour, withVector: boolean, columns: Column[]): SearchHit {
    const hit: SearchHit = {
      id: this.ids.idAt(n.label) as string,
      score: scoreOf(this.spec.metric, n.distance),
      tenant: this.tenants.value(this.tenantOf[n.label] as number) as string,
      metadata: this.readMetadata(readCell, columns, n.label),
    };
    if (withVector) hit.vector = this.vectorAt(n.label);
    return hit;
  }

  private normAt(label: number): number {
    const d = this.spec.dimension;
    let sum = 0;
    for (let j = label * d; j < (label + 1) * d; j++) sum += (this.vectors[j] as number) ** 2;
    return Math.sqrt(sum);
  }

  private vectorAt(label: number): number[] {
    const d = this.spec.dimension;
    const base = label * d;
    const out = new Array<number>(d);
    for (let j = 0; j < d; j++) out[j] = this.vectors[base + j] as number;
    return out;
  }

  private recordAt(label: number): VectorRecord {
    return {
      id: this.ids.idAt(label) as string,
      vector: this.vectorAt(label),
      tenant: this.tenants.value(this.tenantOf[label] as number) as string,
      metadata: this.metadataAt(label),
    };
  }

  private metadataAt(label: number): VectorRecord['metadata'] {
    return this.readMetadata(readCell, Array.from(this.columns.values()), label);
  }

  private ensureCapacity(needed: number): void {
    if (needed > this.capacity) this.capacity = Math.max(needed, this.capacity * 2);
    const capacity = this.capacity;
    for (const col of this.columns.values()) growColumn(col, capacity);
    this.lists?.grow(capacity);
    if (this.tenantOf.length < capacity) {
      const next = new Int32Array(capacity).fill(-1);
      next.set(this.tenantOf);
      this.tenantOf = next;
      const vectors = new Float32Array(capacity * this.spec.dimension);
      vectors.set(this.vectors);
      this.vectors = vectors;
      const norms = new Float32Array(capacity);
      norms.set(this.norms);
      this.norms = norms;
    }
  }
}

type MetadataReader = (cell: typeof readCell, columns: Column[], label: number) => VectorRecord['metadata'];

/**
 * A function that reads a label's cells into one object with each field stored by its own constant
 * name: ~10× faster than a loop of stores by computed names (one generic store per field), which was
 * a third of a 50-hit search's materialising at 1M. Names are field names (letters, digits and
 * underscores, record-check.ts), quoted by JSON.stringify all the same. A missing cell adds no key.
 */
function compileMetadataReader(names: string[]): MetadataReader {
  const body = names.map((name, i) => `v = cell(columns[${i}], label); if (v !== undefined) out[${JSON.stringify(name)}] = v;`).join('\n');
  return new Function('cell', 'columns', 'label', `const out = {}; let v;\n${body}\nreturn out;`) as MetadataReader;
}

/** The k nearest of neighbours gathered from several shards. */
function nearest(all: Neighbour[], k: number): Neighbour[] {
  all.sort((a, b) => a.distance - b.distance || a.label - b.label);
  return all.length > k ? all.slice(0, k) : all;
}

/**
 * One embedded collection: an hnswlib HNSW graph plus string ids mapped to hnswlib labels
 * (id-table.ts), tenant codes, tenant partitions (label-lists.ts) and columnar metadata indexed by
 * label — typed arrays throughout, so a million records add no million objects to the JS heap. Deleted labels are marked deleted in the
 * graph and reused by later inserts (hnswlib re-links a reused label), so churn does not grow it.
 */
import hnswlib from 'hnswlib-node';
import type { CollectionSpec, FieldSpec, SearchHit, SearchQuery, VectorRecord } from '../vector-index.ts';
import { compileFilter, type CompiledFilter } from './compile-filter.ts';
import { bruteForceSearch, scoreOf, type LabelSource, type Neighbour } from './exact-search.ts';
import { IdTable } from './id-table.ts';
import { LabelLists } from './label-lists.ts';
import { LabelPostings } from './label-postings.ts';
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
}

/** ef 128: recall@10 ≥ 0.99 on uniform random dim-32 vectors (bench/ann.bench.ts ANN_DATA=random); ef 64 gave 0.94. */
export const DEFAULT_TUNING: HnswTuning = { m: 16, efConstruction: 200, ef: 128, bruteForceMax: 1024, exactMatchesMax: 4096, exactScanMax: 32_768, randomSeed: 100 };

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
  readonly index: hnswlib.HierarchicalNSW;
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
  /** Labels by tenant code: the tenant partitions. */
  private readonly partitions = new LabelLists(true);
  private readonly postings = new LabelPostings();

  constructor(spec: CollectionSpec, tuning: HnswTuning, index?: hnswlib.HierarchicalNSW, tenants = new Dictionary()) {
    this.spec = spec;
    this.tuning = tuning;
    this.fields = new Map(spec.fields.map((f) => [f.name, f]));
    this.tenants = tenants;
    const capacity = index?.getMaxElements() ?? 1024;
    if (index === undefined) {
      this.index = new hnswlib.HierarchicalNSW(spec.metric, spec.dimension);
      this.index.initIndex({ maxElements: capacity, m: tuning.m, efConstruction: tuning.efConstruction, randomSeed: tuning.randomSeed });
    } else {
      this.index = index;
    }
    for (const f of spec.fields) this.columns.set(f.name, newColumn(f, capacity));
    this.tenantOf = new Int32Array(capacity).fill(-1);
    this.vectors = new Float32Array(capacity * spec.dimension);
    this.norms = new Float32Array(capacity);
  }

  get size(): number {
    return this.ids.size;
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

  /** Upserts validated records (the last of duplicate ids wins). */
  upsert(records: VectorRecord[]): void {
    const fresh = records.filter((r) => this.ids.labelOf(r.id) < 0).length;
    this.ensureCapacity(this.nextLabel + Math.max(0, fresh - this.free.length));
    for (const r of records) this.put(r);
  }

  private put(r: VectorRecord): void {
    let label = this.ids.labelOf(r.id);
    if (label < 0) {
      label = this.free.pop() ?? this.nextLabel++;
      this.ids.set(label, r.id);
    } else {
      this.partitions.remove(this.tenantOf[label] as number, label);
    }
    const vector = Array.from(r.vector);
    this.index.addPoint(vector, label);
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
  }

  /** Deletes by id; unknown ids are ignored. Returns how many were deleted. */
  delete(ids: string[]): number {
    let n = 0;
    for (const id of ids) {
      const label = this.ids.labelOf(id);
      if (label < 0) continue;
      this.index.markDelete(label);
      this.ids.remove(label);
      this.partitions.remove(this.tenantOf[label] as number, label);
      this.tenantOf[label] = -1;
      for (const col of this.columns.values()) {
        this.postings.beforeWrite(col, label);
        writeCell(col, label, undefined);
      }
      this.free.push(label);
      n++;
    }
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

  /** Top-K with the filter applied inside the walk (hnswlib filter callback) or over a small partition exactly. */
  search(query: SearchQuery): SearchHit[] {
    const compiled = compileFilter({ collection: this.spec.name, columns: this.columns, tenants: this.tenants, tenantOf: () => this.tenantOf }, query.filter);
    const k = Math.min(query.topK, this.size);
    if (compiled.empty || k <= 0) return [];
    const neighbours = this.neighbours(query, compiled, k);
    return neighbours.map((n) => this.hitAt(n, query.includeVectors === true));
  }

  private neighbours(query: SearchQuery, compiled: CompiledFilter, k: number): Neighbour[] {
    const filtered = query.filter?.tenants !== undefined || (query.filter?.conditions?.length ?? 0) > 0;
    const estimate = once(() => this.estimateMatches(compiled));
    const partition = this.exactScan(compiled, filtered, estimate);
    if (partition !== undefined) {
      return bruteForceSearch(this.spec.metric, this.spec.dimension, this.vectors, query.vector, partition, compiled.predicate, k, this.norms);
    }
    const ef = query.ef ?? this.tuning.ef;
    const vector = Array.from(query.vector);
    if (filtered) {
      const post = this.postFiltered(vector, ef, compiled, k, estimate());
      if (post !== undefined) return post;
    }
    this.index.setEf(Math.max(ef, k));
    const result = filtered ? this.index.searchKnn(vector, k, compiled.predicate) : this.index.searchKnn(vector, k);
    return result.neighbors.map((label, i) => ({ label, distance: result.distances[i] as number }));
  }

  /**
   * A filter most records pass (estimated pass rate ≥ POST_FILTER_MIN_RATE): the plain graph walk
   * for ⌈1.5·k / rate⌉ + 10 neighbours (no per-node callback into JS), then the predicate over
   * them, nearest first. Undefined when fewer than k pass (the caller walks with the filter).
   */
  private postFiltered(vector: number[], ef: number, compiled: CompiledFilter, k: number, matches: number): Neighbour[] | undefined {
    const rate = matches / this.size;
    if (rate < POST_FILTER_MIN_RATE) return undefined;
    const wide = Math.min(this.size, Math.ceil((1.5 * k) / rate) + 10);
    if (wide > POST_FILTER_MAX) return undefined;
    this.index.setEf(Math.max(ef, wide));
    const result = this.index.searchKnn(vector, wide);
    const out: Neighbour[] = [];
    for (let i = 0; i < result.neighbors.length && out.length < k; i++) {
      const label = result.neighbors[i] as number;
      if (compiled.predicate(label)) out.push({ label, distance: result.distances[i] as number });
    }
    return out.length === k || wide === this.size ? out : undefined;
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
    if (candidates.size > this.tuning.exactScanMax && estimate() > max) return undefined;
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

  private hitAt(n: Neighbour, withVector: boolean): SearchHit {
    const hit: SearchHit = {
      id: this.ids.idAt(n.label) as string,
      score: scoreOf(this.spec.metric, n.distance),
      tenant: this.tenants.value(this.tenantOf[n.label] as number) as string,
      metadata: this.metadataAt(n.label),
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
    const out: VectorRecord['metadata'] = {};
    for (const col of this.columns.values()) {
      const v = readCell(col, label);
      if (v !== undefined) out[col.name] = v;
    }
    return out;
  }

  private ensureCapacity(needed: number): void {
    const max = this.index.getMaxElements();
    if (needed > max) this.index.resizeIndex(Math.max(needed, max * 2));
    const capacity = this.index.getMaxElements();
    for (const col of this.columns.values()) growColumn(col, capacity);
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

/**
 * Inverted lists (IVF) over a large cosine collection: the records are grouped by their nearest of
 * `count` centroids (spherical k-means over a sample), and a search scores the query against the
 * centroids, scans the nearest lists, and reranks the best by the exact vectors. Milvus calls this
 * IVF_SQ8: each list holds its records' unit vectors as 8-bit codes (scalar quantisation per
 * dimension), one contiguous run per list, with the filterable columns copied into the same order,
 * so a scan reads memory in sequence. A graph walk of a million records reads scattered nodes, and
 * on queries far from every record (a plan's encoding is not a pattern) its greedy descent settles
 * in one region: on this project's 1M-pattern bench, HNSW at ef 256 found 0.78 of the exact top 10,
 * 32 lists of 1,024 found 0.98.
 *
 * The lists are a derived structure: the vectors, columns and graphs stay the collection's own.
 * Writes after the last pack go to an overflow (scanned exactly by label, its stale packed copies
 * skipped) until it passes OVERFLOW_SHARE of the packed records, then the lists are packed again
 * (same centroids). The centroids are trained again when the collection has doubled since.
 */
import { seededRandom } from '../../../core/seeded-random.ts';
import type { VectorFilter } from '../vector-index.ts';
import { compileFilter, type CompiledFilter, type FilterTarget } from './compile-filter.ts';
import { dot, type Neighbour } from './exact-search.ts';
import { CodeScanner, weightMaxFor } from './code-scan.ts';
import { CodeLists, type Column } from './metadata-columns.ts';
import { runBetweenTurns, type SlicedWork } from './sliced-work.ts';

/** What the lists read from their collection. */
export interface ListSource {
  readonly dimension: number;
  readonly vectors: Float32Array;
  readonly norms: Float32Array;
  /** One past the highest label in use. */
  readonly end: number;
  readonly live: { has(label: number): boolean };
  readonly target: FilterTarget;
  readonly seed: number;
}

/** The trained part, as saved. */
export interface TrainedLists {
  count: number;
  /** Records in the collection when the centroids were trained. */
  trainedSize: number;
  centroids: Float32Array;
  /** Per dimension: the lowest code's value and the step between codes. */
  low: Float32Array;
  step: Float32Array;
  /** Per label: its list (-1 = none). */
  listOf: Int32Array;
}

/** Share of the packed records the overflow may reach before the lists are packed again. */
const OVERFLOW_SHARE = 0.02;
const OVERFLOW_MIN = 1024;
/** Training sample per centroid, and k-means rounds. */
const SAMPLE_PER_LIST = 32;
const KMEANS_ROUNDS = 8;
/**
 * Candidates reranked by the exact vectors, per result asked. 2 gave the same recall@10 as 4 on
 * the 1M bench home (0.992, every filter class alike) and cost ~0.4 ms less a search: half the
 * exact reranks, and a higher bar in the scan, so fewer rows reach the filter.
 */
const RERANK_PER_RESULT = 2;
/** Cells a filter column's copy into list order takes per turn of the event loop. Measured at 1M cells in a shuffled order (tmp script): a string[] column ~350 ms at once, ~1.4 ms a slice on average; a number column ~70 ms at once. */
const COPY_SLICE = 8_192;
/** Sort keys pack a list number below this (≥ the most lists, 4,096). */
const LIST_SLOTS = 8192;

/** Centroids for `size` records: about √size, at least 16, at most 4,096. */
export const listCount = (size: number): number => Math.max(16, Math.min(4096, Math.round(Math.sqrt(size))));

/** Lists a search of breadth `ef` scans at least (ef 256 → 32). */
export const probesFor = (ef: number): number => Math.max(8, Math.ceil(ef / 8));

export class InvertedLists {
  readonly count: number;
  readonly trainedSize: number;
  readonly centroids: Float32Array;
  readonly low: Float32Array;
  readonly step: Float32Array;
  listOf: Int32Array;
  private readonly dim: number;
  /** The centroids as codes: a query's nearest lists, a record's list. */
  private readonly centroidCodes: CodeScanner;
  // the packed runs: list i holds positions offsets[i] ≤ p < offsets[i + 1]
  private offsets = new Int32Array(1);
  private order = new Int32Array(0);
  /** The packed records' 8-bit codes, scored in WebAssembly. */
  private readonly scanner: CodeScanner;
  private posOf = new Int32Array(0);
  private stale = new Uint8Array(0);
  private tenantOfPacked = new Int32Array(0);
  private readonly permuted = new Map<string, Column>();
  /** Columns being copied into list order between searches, and the pack they are for. */
  private readonly copying = new Set<string>();
  private packs = 0;
  /** Labels written since the last pack (live ones; scanned by label). */
  readonly overflow = new Set<number>();
  // a search's scratch, reused: typed arrays allocated per query are external memory to V8, and
  // enough of it between collections starts full (mark-compact) collections of the whole heap
  private readonly unit: Float64Array;
  private readonly keys: Float64Array;
  private readonly ranked: Int32Array;
  private best: TopScores | undefined;

  /** @throws when the trained part does not fit together (a damaged file: the loader reports it). */
  constructor(trained: TrainedLists) {
    const d = trained.low.length;
    if (trained.count < 1 || trained.count >= LIST_SLOTS || trained.step.length !== d || trained.centroids.length !== trained.count * d) {
      throw new Error(`inverted lists: ${trained.count} centroids of ${d} dimensions do not fit ${trained.centroids.length} values`);
    }
    for (let label = 0; label < trained.listOf.length; label++) {
      const list = trained.listOf[label] as number;
      if (list < -1 || list >= trained.count) throw new Error(`inverted lists: label ${label} is in list ${list} of ${trained.count}`);
    }
    this.count = trained.count;
    this.trainedSize = trained.trainedSize;
    this.centroids = trained.centroids;
    this.low = trained.low;
    this.step = trained.step;
    this.listOf = trained.listOf;
    this.dim = trained.low.length;
    this.scanner = new CodeScanner(this.dim);
    this.centroidCodes = codesOf(this.centroids, this.count, this.low, this.step);
    this.unit = new Float64Array(this.dim);
    this.keys = new Float64Array(this.count);
    this.ranked = new Int32Array(this.count);
  }

  /** Trains centroids and codes on a sample of the source's live records and assigns every one of them. */
  static train(source: ListSource, size: number): InvertedLists {
    const d = source.dimension;
    const count = listCount(size);
    const live: number[] = [];
    for (let label = 0; label < source.end; label++) if (source.live.has(label)) live.push(label);
    const random = seededRandom(source.seed);
    const want = Math.min(live.length, count * SAMPLE_PER_LIST);
    // a sample without repeats (partial Fisher–Yates)
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(random() * (live.length - i));
      [live[i], live[j]] = [live[j] as number, live[i] as number];
    }
    const sample = new Float32Array(want * d);
    for (let i = 0; i < want; i++) unitInto(source, live[i] as number, sample, i * d);
    const low = new Float32Array(d).fill(Number.POSITIVE_INFINITY);
    const high = new Float32Array(d).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < want; i++) {
      for (let j = 0; j < d; j++) {
        const x = sample[i * d + j] as number;
        if (x < (low[j] as number)) low[j] = x;
        if (x > (high[j] as number)) high[j] = x;
      }
    }
    const step = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(low[j] as number)) (low[j] = -1), (high[j] = 1);
      step[j] = Math.max(1e-9, ((high[j] as number) - (low[j] as number)) / 255);
    }
    const centroids = sphericalKMeans(sample, want, d, count, random, low, step);
    const lists = new InvertedLists({ count, trainedSize: size, centroids, low, step, listOf: new Int32Array(Math.max(source.end, 16)).fill(-1) });
    for (const label of live) lists.assign(source, label);
    lists.pack(source);
    return lists;
  }

  /** The saved form. */
  get trained(): TrainedLists {
    return { count: this.count, trainedSize: this.trainedSize, centroids: this.centroids, low: this.low, step: this.step, listOf: this.listOf };
  }

  grow(capacity: number): void {
    if (capacity <= this.listOf.length) return;
    const next = new Int32Array(capacity).fill(-1);
    next.set(this.listOf);
    this.listOf = next;
  }

  /** A record was written at `label`: its nearest list, and the overflow until the next pack. */
  written(source: ListSource, label: number): void {
    this.grow(label + 1);
    this.unpack(label);
    this.assign(source, label);
    this.overflow.add(label);
  }

  deleted(label: number): void {
    this.unpack(label);
    if (label < this.listOf.length) this.listOf[label] = -1;
    this.overflow.delete(label);
  }

  /** True when the overflow has grown past its share (the caller packs). */
  get crowded(): boolean {
    return this.overflow.size > Math.max(OVERFLOW_MIN, OVERFLOW_SHARE * this.order.length);
  }

  /** Lays every assigned live record out in list order (codes and filter columns), emptying the overflow. */
  pack(source: ListSource): void {
    const d = this.dim;
    const counts = new Int32Array(this.count);
    const end = Math.min(source.end, this.listOf.length);
    for (let label = 0; label < end; label++) {
      const list = this.listOf[label] as number;
      if (list >= 0 && source.live.has(label)) counts[list] = (counts[list] as number) + 1;
    }
    const offsets = new Int32Array(this.count + 1);
    for (let i = 0; i < this.count; i++) offsets[i + 1] = (offsets[i] as number) + (counts[i] as number);
    const total = offsets[this.count] as number;
    const at = offsets.slice(0, this.count);
    const order = new Int32Array(total);
    const posOf = new Int32Array(Math.max(source.end, 16)).fill(-1);
    let longest = 0;
    for (let i = 0; i < this.count; i++) longest = Math.max(longest, counts[i] as number);
    this.scanner.reserve(total, longest);
    const codes = this.scanner.codes;
    const stride = this.scanner.stride;
    codes.fill(0);
    const unit = new Float32Array(d);
    for (let label = 0; label < end; label++) {
      const list = this.listOf[label] as number;
      if (list < 0 || !source.live.has(label)) continue;
      const p = (at[list] as number);
      at[list] = p + 1;
      order[p] = label;
      posOf[label] = p;
      unitInto(source, label, unit, 0);
      encodeInto(codes, p * stride, unit, this.low, this.step);
    }
    const tenantOf = source.target.tenantOf();
    const tenantOfPacked = new Int32Array(total);
    for (let p = 0; p < total; p++) tenantOfPacked[p] = tenantOf[order[p] as number] as number;
    this.offsets = offsets;
    this.order = order;
    this.posOf = posOf;
    this.stale = new Uint8Array(total);
    this.tenantOfPacked = tenantOfPacked;
    // the columns filters have used are copied again, between searches (which read them by label until then)
    const inUse = new Set([...this.permuted.keys(), ...this.copying]);
    this.permuted.clear();
    this.copying.clear();
    this.packs++;
    for (const name of inUse) this.copyLater(source, name);
    this.overflow.clear();
  }

  /**
   * The k nearest live records passing the filter: the `probes` lists nearest the query, and more
   * while fewer than RERANK_PER_RESULT·k records of the scanned lists passed; their best by the
   * 8-bit codes and the overflow's records, reranked by the exact vectors. The filter is checked
   * only for records whose code score would enter the best kept so far. Distances as hnswlib's
   * cosine (1 − cos).
   */
  search(source: ListSource, query: ArrayLike<number>, k: number, probes: number, filter: VectorFilter | undefined, byLabel: CompiledFilter): Neighbour[] {
    const d = this.dim;
    const qNorm = Math.sqrt(dot(query, 0, query, d)) || 1;
    const q = this.unit;
    for (let j = 0; j < d; j++) q[j] = (query[j] as number) / qNorm;
    setWeights(this.scanner.query, q, this.step);
    this.centroidCodes.query.set(this.scanner.query);
    const byPosition = this.positionFilter(source, filter, byLabel);
    const wanted = Math.max(k * RERANK_PER_RESULT, k + 16);
    const best = this.best?.capacity === wanted ? this.best.reset() : (this.best = new TopScores(wanted));
    const ranked = this.nearestLists();
    const stale = this.stale;
    const order = this.order;
    const predicate = byPosition.predicate;
    const scanner = this.scanner;
    for (let r = 0; r < ranked.length; r++) {
      if (r >= probes && best.size >= wanted) break;
      const list = ranked[r] as number;
      const start = this.offsets[list] as number;
      const count = (this.offsets[list + 1] as number) - start;
      if (count === 0) continue;
      // the scan keeps only the rows above the best's threshold at the list's start (most are not)
      let threshold = best.threshold;
      const n = scanner.above(start, count, threshold);
      const scores = scanner.out;
      const kept = scanner.kept;
      for (let i = 0; i < n; i++) {
        const s = scores[i] as number;
        if (s <= threshold) continue;
        const p = start + (kept[i] as number);
        if (stale[p] === 1 || !predicate(p)) continue;
        threshold = best.offer(s, order[p] as number);
      }
    }
    const out: Neighbour[] = [];
    const exact = (label: number): number => 1 - dot(source.vectors, label * d, q, d) / (source.norms[label] || 1);
    for (let i = 0; i < best.size; i++) {
      const label = best.labels[i] as number;
      out.push({ label, distance: exact(label) });
    }
    for (const label of this.overflow) if (byLabel.predicate(label)) out.push({ label, distance: exact(label) });
    out.sort((a, b) => a.distance - b.distance || a.label - b.label);
    return out.length > k ? out.slice(0, k) : out;
  }

  /** Lists by their centroid's code score for the query already in centroidCodes, nearest first. */
  private nearestLists(): Int32Array {
    const n = this.count;
    this.centroidCodes.score(0, n);
    const scores = this.centroidCodes.out;
    // one native sort of (−score, list) packed into doubles: the list in the low 13 bits (count ≤ 4,096)
    const keys = this.keys;
    for (let i = 0; i < n; i++) keys[i] = -(scores[i] as number) * LIST_SLOTS + i;
    keys.sort();
    const ranked = this.ranked;
    for (let i = 0; i < n; i++) {
      const key = keys[i] as number;
      ranked[i] = key - Math.floor(key / LIST_SLOTS) * LIST_SLOTS;
    }
    return ranked;
  }

  /**
   * The filter compiled over packed positions: over the filter's columns copied into list order.
   * A column not copied yet is copied between searches, a slice at a time (a copy of a million
   * cells at once would hold up every request waiting behind this one); until it is, positions are
   * checked through their labels.
   */
  private positionFilter(source: ListSource, filter: VectorFilter | undefined, byLabel: CompiledFilter): CompiledFilter {
    const columns = new Map(source.target.columns);
    let copied = true;
    for (const cond of filter?.conditions ?? []) {
      const col = source.target.columns.get(cond?.field);
      if (col === undefined) continue;
      const packed = this.permuted.get(col.name);
      if (packed === undefined) {
        this.copyLater(source, col.name);
        copied = false;
      } else {
        columns.set(col.name, packed);
      }
    }
    if (!copied) {
      const order = this.order;
      const byLabelPredicate = byLabel.predicate;
      return { ...byLabel, predicate: (p: number) => byLabelPredicate(order[p] as number) };
    }
    const tenantOf = this.tenantOfPacked;
    return compileFilter({ collection: source.target.collection, columns, tenants: source.target.tenants, tenantOf: () => tenantOf }, filter);
  }

  /** Copies a column into list order on later turns of the event loop, COPY_SLICE cells a turn; a pack in between drops the copy. */
  private copyLater(source: ListSource, name: string): void {
    const col = source.target.columns.get(name);
    if (col === undefined || this.copying.has(name) || this.permuted.has(name)) return;
    this.copying.add(name);
    const pack = this.packs;
    runBetweenTurns(permuteInSlices(col, this.order, COPY_SLICE), () => pack === this.packs, (copy) => {
      this.copying.delete(name);
      this.permuted.set(name, copy);
    });
  }

  private assign(source: ListSource, label: number): void {
    const unit = this.unit;
    unitInto(source, label, unit, 0);
    this.listOf[label] = nearestCentroid(this.centroidCodes, unit, this.step);
  }

  /** Marks the label's packed copy stale (the overflow holds its new value, if any). */
  private unpack(label: number): void {
    const p = label < this.posOf.length ? (this.posOf[label] as number) : -1;
    if (p >= 0) {
      this.stale[p] = 1;
      this.posOf[label] = -1;
    }
  }
}

/** The best `capacity` scores and their labels: a binary min-heap (the lowest kept at the root). */
class TopScores {
  readonly scores: Float64Array;
  readonly labels: Int32Array;
  size = 0;
  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.labels = new Int32Array(capacity);
  }
  reset(): this {
    this.size = 0;
    return this;
  }
  /** A score must be above this to be kept. */
  get threshold(): number {
    return this.size < this.capacity ? Number.NEGATIVE_INFINITY : (this.scores[0] as number);
  }
  /** Keeps the score if it is above the threshold; returns the new threshold. */
  offer(score: number, label: number): number {
    const scores = this.scores;
    const labels = this.labels;
    if (this.size < this.capacity) {
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if ((scores[parent] as number) <= score) break;
        scores[at] = scores[parent] as number;
        labels[at] = labels[parent] as number;
        at = parent;
      }
      scores[at] = score;
      labels[at] = label;
      return this.threshold;
    }
    if (score <= (scores[0] as number)) return scores[0] as number;
    let at = 0;
    const n = this.size;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && (scores[child + 1] as number) < (scores[child] as number)) child++;
      if ((scores[child] as number) >= score) break;
      scores[at] = scores[child] as number;
      labels[at] = labels[child] as number;
      at = child;
    }
    scores[at] = score;
    labels[at] = label;
    return scores[0] as number;
  }
}

/**
 * A column's cells in `order` (position p holds label order[p]'s cell), `slice` positions at a
 * time: each `next()` copies one slice, the last returns the column. The cells are read from `col`
 * as it is at each slice: writes in between only change records whose packed copies are stale
 * (never read through the copy), and a grown column keeps its cells.
 */
function* permuteInSlices(col: Column, order: Int32Array, slice: number): SlicedWork<Column> {
  const n = order.length;
  switch (col.type) {
    case 'number': {
      const c = col;
      return { name: c.name, type: 'number', values: yield* cellsInOrder(new Float64Array(n), () => c.values, order, slice) };
    }
    case 'bool': {
      const c = col;
      return { name: c.name, type: 'bool', values: yield* cellsInOrder(new Int8Array(n), () => c.values, order, slice) };
    }
    case 'string': {
      const c = col;
      return { name: c.name, type: 'string', codes: yield* cellsInOrder(new Int32Array(n), () => c.codes, order, slice), dict: c.dict };
    }
    case 'string[]':
      return { name: col.name, type: 'string[]', lists: yield* CodeLists.gatherInSlices(col.lists, order, slice), dict: col.dict };
  }
}

/** out[p] = cells()[order[p]], `slice` positions a step; `cells` is read again at each slice (a grown column replaces its array). */
function* cellsInOrder<T extends Float64Array | Int8Array | Int32Array>(out: T, cells: () => ArrayLike<number>, order: Int32Array, slice: number): SlicedWork<T> {
  const n = order.length;
  for (let from = 0; from < n; from += slice) {
    const at = cells();
    for (let p = from, to = Math.min(n, from + slice); p < to; p++) out[p] = at[order[p] as number] as number;
    if (from + slice < n) yield;
  }
  return out;
}

function unitInto(source: ListSource, label: number, out: Float32Array | Float64Array, at: number): void {
  const d = source.dimension;
  const norm = source.norms[label] || 1;
  for (let j = 0; j < d; j++) out[at + j] = (source.vectors[label * d + j] as number) / norm;
}

/** Spherical k-means: unit centroids, each round assigning the sample to its nearest centroid by their codes. */
function sphericalKMeans(sample: Float32Array, n: number, d: number, count: number, random: () => number, low: Float32Array, step: Float32Array): Float32Array {
  const centroids = new Float32Array(count * d);
  for (let i = 0; i < count; i++) centroids.set(sample.subarray((i % Math.max(1, n)) * d, ((i % Math.max(1, n)) + 1) * d), i * d);
  if (n === 0) return centroids;
  const assignment = new Int32Array(n);
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    const codes = codesOf(centroids, count, low, step);
    for (let p = 0; p < n; p++) assignment[p] = nearestCentroid(codes, sample.subarray(p * d, (p + 1) * d), step);
    const sums = new Float64Array(count * d);
    const sizes = new Int32Array(count);
    for (let p = 0; p < n; p++) {
      const c = assignment[p] as number;
      sizes[c] = (sizes[c] as number) + 1;
      for (let j = 0; j < d; j++) sums[c * d + j] = (sums[c * d + j] as number) + (sample[p * d + j] as number);
    }
    for (let c = 0; c < count; c++) {
      if (sizes[c] === 0) {
        // an empty centroid restarts at a random sample point
        const p = Math.floor(random() * n);
        centroids.set(sample.subarray(p * d, (p + 1) * d), c * d);
        continue;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += (sums[c * d + j] as number) ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < d; j++) centroids[c * d + j] = (sums[c * d + j] as number) / norm;
    }
  }
  return centroids;
}

/** Unit vectors (rows of `vectors`) as codes in a scanner of their own. */
function codesOf(vectors: Float32Array, count: number, low: Float32Array, step: Float32Array): CodeScanner {
  const d = low.length;
  const scanner = new CodeScanner(d);
  scanner.reserve(count, count);
  for (let i = 0; i < count; i++) encodeInto(scanner.codes, i * scanner.stride, vectors.subarray(i * d, (i + 1) * d), low, step);
  return scanner;
}

/** The row of `codes` scoring highest against the unit vector (ties: the first). */
function nearestCentroid(codes: CodeScanner, unit: ArrayLike<number>, step: Float32Array): number {
  setWeights(codes.query, unit, step);
  const n = codes.rows;
  codes.score(0, n);
  const out = codes.out;
  let best = 0;
  for (let i = 1; i < n; i++) if ((out[i] as number) > (out[best] as number)) best = i;
  return best;
}

/**
 * The query's weights for a code scan: the code of dimension j stands for low_j + (code + 128)·step_j,
 * so u·x ranks as Σ_j u_j·step_j·code_j; those weights, scaled to the scan's integer range (a positive
 * scale keeps the order).
 */
function setWeights(weights: Int16Array, unit: ArrayLike<number>, step: Float32Array): void {
  const d = step.length;
  let top = 0;
  for (let j = 0; j < d; j++) top = Math.max(top, Math.abs((unit[j] as number) * (step[j] as number)));
  const scale = top > 0 ? weightMaxFor(weights.length) / top : 0;
  weights.fill(0);
  for (let j = 0; j < d; j++) weights[j] = Math.round((unit[j] as number) * (step[j] as number) * scale);
}

/** A unit vector's 8-bit codes at codes[at ..]. */
function encodeInto(codes: Int8Array, at: number, unit: ArrayLike<number>, low: Float32Array, step: Float32Array): void {
  for (let j = 0; j < low.length; j++) codes[at + j] = Math.max(-128, Math.min(127, Math.round(((unit[j] as number) - (low[j] as number)) / (step[j] as number)) - 128));
}

/**
 * Histogram binning for the tree learner: per encoded column, up to `maxBins` bins whose upper
 * edges are float32 values seen in the training rows (quantiles when there are more distinct
 * values than bins). bin(x) = the first edge with x ≤ edge, so `bin(x) ≤ s` ⇔ `x ≤ edges[s]`
 * — a split found on bins is the threshold split ONNX runs on raw values. Constant columns get
 * no bins and are never split on.
 */

export interface FeatureBins {
  /** Encoded columns that have at least two bins, in column order. */
  columns: Int32Array;
  /** Per used column: ascending float32 upper edges (bins = edges.length + 1). */
  edges: Float32Array[];
  /** Per used column: offset of its first bin in a histogram over all used columns. */
  offsets: Int32Array;
  totalBins: number;
}

/** Learns the bins of each column of `rows × width` row-major `x` (at most `maxBins` ≤ 256 each). */
export function fitFeatureBins(x: Float32Array, rows: number, width: number, maxBins: number): FeatureBins {
  const columns: number[] = [];
  const edges: Float32Array[] = [];
  const column = new Float32Array(rows);
  for (let f = 0; f < width; f++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * width + f] as number;
    const e = fewDistinct(column, maxBins) ?? edgesOf(column.slice().sort(), maxBins);
    if (e.length === 0) continue;
    columns.push(f);
    edges.push(e);
  }
  const offsets = new Int32Array(columns.length);
  let total = 0;
  edges.forEach((e, i) => { offsets[i] = total; total += e.length + 1; });
  return { columns: Int32Array.from(columns), edges, offsets, totalBins: total };
}

/**
 * The edges of a column with at most `maxBins` distinct values (one-hot, flags, small counts: most
 * columns) without sorting all rows — the same edges edgesOf gives — or undefined when it has more.
 */
function fewDistinct(column: Float32Array, maxBins: number): Float32Array | undefined {
  const seen = new Set<number>();
  for (let r = 0; r < column.length; r++) {
    seen.add(column[r] as number);
    if (seen.size > maxBins) return undefined;
  }
  return Float32Array.from(seen).sort().subarray(0, Math.max(0, seen.size - 1));
}

function edgesOf(sorted: Float32Array, maxBins: number): Float32Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i] as number);
  if (distinct.length <= 1) return new Float32Array(0);
  if (distinct.length <= maxBins) return Float32Array.from(distinct.slice(0, -1));
  const max = distinct[distinct.length - 1] as number;
  const out: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const v = sorted[Math.floor((k * sorted.length) / maxBins)] as number;
    if (v < max && (out.length === 0 || v > (out[out.length - 1] as number))) out.push(v);
  }
  return Float32Array.from(out);
}

/** The bin of `value` among `edges` (binary search). */
export function binOf(value: number, edges: Float32Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins every row: row-major [rows × bins.columns.length] bin indexes. */
export function binRows(bins: FeatureBins, x: Float32Array, rows: number, width: number): Uint8Array {
  const used = bins.columns.length;
  const out = new Uint8Array(rows * used);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < used; j++) out[r * used + j] = binOf(x[r * width + (bins.columns[j] as number)] as number, bins.edges[j] as Float32Array);
  }
  return out;
}

/**
 * Drops every used column whose bins equal an earlier column's on every training row (aggregates
 * that coincide on this data, a flag and its complement's twin): a split on it gains exactly what
 * the same split on the earlier column gains, and ties go to the earlier column, so the trees are
 * the same — without its histogram cells. Returns the kept columns and their row-major bins.
 */
export function withoutDuplicateColumns(fb: FeatureBins, bins: Uint8Array, rows: number): { fb: FeatureBins; bins: Uint8Array } {
  const used = fb.columns.length;
  const column = (j: number) => {
    const out = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) out[r] = bins[r * used + j] as number;
    return out;
  };
  const byHash = new Map<number, Uint8Array[]>();
  const keep: number[] = [];
  for (let j = 0; j < used; j++) {
    const c = column(j);
    let hash = 0x811c9dc5;
    for (let r = 0; r < rows; r++) hash = Math.imul(hash ^ (c[r] as number), 0x01000193);
    const same = byHash.get(hash);
    if (same?.some((o) => o.every((v, r) => v === c[r]))) continue;
    if (same) same.push(c); else byHash.set(hash, [c]);
    keep.push(j);
  }
  if (keep.length === used) return { fb, bins };
  const edges = keep.map((j) => fb.edges[j] as Float32Array);
  const offsets = new Int32Array(keep.length);
  let total = 0;
  edges.forEach((e, i) => { offsets[i] = total; total += e.length + 1; });
  const kept = new Uint8Array(rows * keep.length);
  for (let r = 0; r < rows; r++) for (let i = 0; i < keep.length; i++) kept[r * keep.length + i] = bins[r * used + (keep[i] as number)] as number;
  return { fb: { columns: Int32Array.from(keep, (j) => fb.columns[j] as number), edges, offsets, totalBins: total }, bins: kept };
}

/**
 * A histogram gradient-boosted tree learner for binary log-loss (the XGBoost/LightGBM recipe,
 * small): columns pre-binned once (feature-bins.ts), depth-limited trees grown depth first with
 * the histogram subtraction trick, leaf weight −G/(H+λ) (L2 on leaf weights), shrinkage, and
 * early stopping on a validation part (the best round's prefix of trees is kept). Deterministic:
 * no sampling. Typed arrays throughout. Speed (the histograms are most of the time): sparse
 * 16-bit bin slots per row, (gradient, hessian) histograms without a count channel (a side's rows
 * are estimated from its hessian share, as LightGBM does, for minLeafRows), no histograms for the
 * children of the last level (leaves need only sums), order-keeping partitions so histograms
 * read rows in memory order, and columns whose bins duplicate an earlier column's dropped (the
 * same trees: ties go to the earlier column).
 */
import { AlmanacError } from '../../../core/errors.ts';
import { logLoss } from '../../evaluation/log-loss.ts';
import { rocAuc } from '../../evaluation/roc-auc.ts';
import type { EncodedRows } from '../train-network.ts';
import { binRows, fitFeatureBins, withoutDuplicateColumns, type FeatureBins } from './feature-bins.ts';
import type { RegressionTree, TreeEnsemble } from './tree-ensemble.ts';

export interface GbdtParameters {
  /** Maximum boosting rounds (trees). */
  rounds: number;
  learningRate: number;
  maxDepth: number;
  /** L2 penalty λ on leaf weights. */
  l2: number;
  /** Minimum hessian sum in a child. */
  minChildWeight: number;
  /** Minimum rows in a child (estimated from the child's share of the node's hessian). */
  minLeafRows: number;
  /** Bins per column (≤ 256). */
  maxBins: number;
  /** Rounds without a better validation ROC-AUC before stopping. */
  patience: number;
}

export const DEFAULT_GBDT: GbdtParameters = { rounds: 300, learningRate: 0.1, maxDepth: 4, l2: 1, minChildWeight: 1, minLeafRows: 20, maxBins: 64, patience: 30 };

export interface GbdtRound { round: number; validationAuc: number; validationLogLoss: number }

export interface TrainedGbdt { ensemble: TreeEnsemble; bestRound: number; history: GbdtRound[] }

interface Grower {
  bins: Uint8Array;
  /** The same bins column-major ([used × rows]): partitioning reads one column of a node's rows. */
  binsByColumn: Uint8Array;
  used: number;
  fb: FeatureBins;
  /** Per training row, its gradient and hessian side by side: gh[2r], gh[2r + 1]. */
  gh: Float64Array;
  index: Int32Array;
  /** Scratch space of partition. */
  scratch: Int32Array;
  p: GbdtParameters;
  nodes: { feature: number[]; value: number[]; left: number[]; right: number[]; splitBin: number[] };
  /** Leaf of each training row, filled as leaves are made. */
  rowLeaf: Int32Array;
  sparse: SparseBins;
}

/**
 * Sparse histogram layout: per row only the cells whose bin is not its column's most frequent
 * bin (for one-hot columns, only the 1s). The most frequent bin of each column is filled in from
 * the node's totals afterwards, so a histogram costs the non-default cells, not rows × columns.
 */
interface SparseBins { defaultBin: Int32Array; start: Int32Array; slot: Uint16Array | Int32Array }

function sparseBins(fb: FeatureBins, bins: Uint8Array, rows: number): SparseBins {
  const used = fb.columns.length;
  const defaultBin = new Int32Array(used);
  const counts = new Int32Array(fb.totalBins);
  for (let r = 0; r < rows; r++) for (let j = 0; j < used; j++) {
    const at = (fb.offsets[j] as number) + (bins[r * used + j] as number);
    counts[at] = (counts[at] as number) + 1;
  }
  for (let j = 0; j < used; j++) {
    const offset = fb.offsets[j] as number;
    const n = (fb.edges[j] as Float32Array).length + 1;
    let best = 0;
    for (let b = 1; b < n; b++) if ((counts[offset + b] as number) > (counts[offset + best] as number)) best = b;
    defaultBin[j] = best;
  }
  let nnz = 0;
  for (let r = 0; r < rows; r++) for (let j = 0; j < used; j++) if (bins[r * used + j] !== defaultBin[j]) nnz++;
  const start = new Int32Array(rows + 1);
  // 16-bit slots while the bins fit (they usually do): half the bytes streamed per histogram.
  const slot = fb.totalBins <= 0x10000 ? new Uint16Array(nnz) : new Int32Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    start[r] = k;
    for (let j = 0; j < used; j++) {
      const b = bins[r * used + j] as number;
      if (b !== defaultBin[j]) slot[k++] = (fb.offsets[j] as number) + b;
    }
  }
  start[rows] = k;
  return { defaultBin, start, slot };
}

function byColumn(bins: Uint8Array, rows: number, used: number): Uint8Array {
  const out = new Uint8Array(bins.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < used; j++) out[j * rows + r] = bins[r * used + j] as number;
  return out;
}

function buildHistogram(t: Grower, start: number, end: number, hist: Histogram): void {
  hist.fill(0);
  const { gh, index } = t;
  const { start: rowStart, slot } = t.sparse;
  let G = 0;
  let H = 0;
  for (let i = start; i < end; i++) {
    const r = index[i] as number;
    const gi = gh[2 * r] as number;
    const hi = gh[2 * r + 1] as number;
    G += gi;
    H += hi;
    const to = rowStart[r + 1] as number;
    for (let k = rowStart[r] as number; k < to; k++) {
      const at = (slot[k] as number) * 2;
      hist[at] = (hist[at] as number) + gi;
      hist[at + 1] = (hist[at + 1] as number) + hi;
    }
  }
  for (let j = 0; j < t.used; j++) {
    const offset = t.fb.offsets[j] as number;
    const bins = (t.fb.edges[j] as Float32Array).length + 1;
    let gs = 0; let hs = 0;
    for (let b = 0; b < bins; b++) { const at = (offset + b) * 2; gs += hist[at] as number; hs += hist[at + 1] as number; }
    const at = (offset + (t.sparse.defaultBin[j] as number)) * 2;
    hist[at] = G - gs;
    hist[at + 1] = H - hs;
  }
}

/** Per bin of every used column, the (gradient, hessian) sums of a node's rows. */
type Histogram = Float64Array;

interface Split { gain: number; column: number; bin: number }

function bestSplit(t: Grower, hist: Histogram, G: number, H: number, n: number): Split | undefined {
  const { l2, minChildWeight, minLeafRows } = t.p;
  const parent = (G * G) / (H + l2);
  // Rows on a side, estimated from its hessian share (LightGBM's trick: no count channel in the histograms).
  const rowsPerHessian = n / H;
  let best: Split | undefined;
  for (let j = 0; j < t.used; j++) {
    const offset = t.fb.offsets[j] as number;
    const count = (t.fb.edges[j] as Float32Array).length + 1;
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < count - 1; b++) {
      const k = (offset + b) * 2;
      gl += hist[k] as number;
      hl += hist[k + 1] as number;
      const nl = hl * rowsPerHessian;
      if (nl < minLeafRows || hl < minChildWeight) continue;
      const hr = H - hl;
      if (n - nl < minLeafRows || hr < minChildWeight) break;
      const gr = G - gl;
      const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
      if (gain > 1e-12 && (!best || gain > best.gain)) best = { gain, column: j, bin: b };
    }
  }
  return best;
}

function addNode(t: Grower): number {
  const n = t.nodes;
  n.feature.push(-1); n.value.push(0); n.left.push(-1); n.right.push(-1); n.splitBin.push(-1);
  return n.feature.length - 1;
}

function makeLeaf(t: Grower, node: number, start: number, end: number, G: number, H: number): void {
  t.nodes.value[node] = Math.fround((-G / (H + t.p.l2)) * t.p.learningRate);
  for (let i = start; i < end; i++) t.rowLeaf[t.index[i] as number] = node;
}

/** A leaf over the rows index[start, end): its weight from their gradient sums. */
function leafOfRows(t: Grower, node: number, start: number, end: number): void {
  const [G, H] = sums(t, start, end);
  makeLeaf(t, node, start, end, G, H);
}

/**
 * Moves rows with bin ≤ split.bin to the front of [start, end), both sides keeping their order
 * (ascending row numbers, so histograms read the rows' cells in memory order); returns the boundary.
 */
function partition(t: Grower, start: number, end: number, split: Split): number {
  const { index, scratch } = t;
  const rows = t.rowLeaf.length;
  const column = t.binsByColumn.subarray(split.column * rows, (split.column + 1) * rows);
  let lo = start;
  let right = 0;
  for (let i = start; i < end; i++) {
    const r = index[i] as number;
    if ((column[r] as number) <= split.bin) index[lo++] = r;
    else scratch[right++] = r;
  }
  index.set(scratch.subarray(0, right), lo);
  return lo;
}

/** Gradient and hessian sums of the rows index[start, end). */
function sums(t: Grower, start: number, end: number): [number, number] {
  const { gh, index } = t;
  let G = 0;
  let H = 0;
  for (let i = start; i < end; i++) { const r = index[i] as number; G += gh[2 * r] as number; H += gh[2 * r + 1] as number; }
  return [G, H];
}

function grow(t: Grower, node: number, start: number, end: number, hist: Histogram, depth: number, pool: Histogram[]): void {
  const [G, H] = sums(t, start, end);
  const split = depth < t.p.maxDepth ? bestSplit(t, hist, G, H, end - start) : undefined;
  if (!split) { makeLeaf(t, node, start, end, G, H); return; }
  const mid = partition(t, start, end, split);
  const nodes = t.nodes;
  nodes.feature[node] = t.fb.columns[split.column] as number;
  nodes.value[node] = (t.fb.edges[split.column] as Float32Array)[split.bin] as number;
  nodes.splitBin[node] = split.bin;
  // stored as (used column, bin) for validation scoring on bins; remapped below
  const left = addNode(t);
  const right = addNode(t);
  nodes.left[node] = left;
  nodes.right[node] = right;
  if (depth + 1 >= t.p.maxDepth) {
    // The children are leaves: they need only their gradient sums, not histograms.
    leafOfRows(t, left, start, mid);
    leafOfRows(t, right, mid, end);
    return;
  }
  const small = pool.pop() ?? new Float64Array(hist.length);
  const leftSmaller = mid - start <= end - mid;
  if (leftSmaller) buildHistogram(t, start, mid, small); else buildHistogram(t, mid, end, small);
  for (let k = 0; k < hist.length; k++) hist[k] = (hist[k] as number) - (small[k] as number);
  const [leftHist, rightHist] = leftSmaller ? [small, hist] : [hist, small];
  grow(t, left, start, mid, leftHist, depth + 1, pool);
  grow(t, right, mid, end, rightHist, depth + 1, pool);
  pool.push(small);
}

function growTree(t: Grower, rows: number, pool: Histogram[], root: Histogram): RegressionTree & { splitBin: Int32Array; usedColumn: Int32Array } {
  t.nodes = { feature: [], value: [], left: [], right: [], splitBin: [] };
  for (let i = 0; i < rows; i++) t.index[i] = i;
  buildHistogram(t, 0, rows, root);
  grow(t, addNode(t), 0, rows, root, 0, pool);
  const n = t.nodes;
  const usedOf = new Map<number, number>(Array.from(t.fb.columns, (c, j) => [c, j]));
  return {
    feature: Int32Array.from(n.feature), value: Float32Array.from(n.value), left: Int32Array.from(n.left), right: Int32Array.from(n.right),
    splitBin: Int32Array.from(n.splitBin), usedColumn: Int32Array.from(n.feature, (f) => (f < 0 ? -1 : (usedOf.get(f) as number))),
  };
}

function leafOnBins(tree: { left: Int32Array; right: Int32Array; splitBin: Int32Array; usedColumn: Int32Array; value: Float32Array }, bins: Uint8Array, base: number): number {
  let node = 0;
  for (;;) {
    const j = tree.usedColumn[node] as number;
    if (j < 0) return tree.value[node] as number;
    node = (bins[base + j] as number) <= (tree.splitBin[node] as number) ? (tree.left[node] as number) : (tree.right[node] as number);
  }
}

function gradients(y: Float32Array, raw: Float64Array, gh: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    const p = 1 / (1 + Math.exp(-(raw[i] as number)));
    gh[2 * i] = p - (y[i] as number);
    gh[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
  }
}

function baseLogit(y: Float32Array): number {
  let positives = 0;
  for (const v of y) positives += v;
  if (positives === 0 || positives === y.length) {
    throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', `training part holds a single class (${positives} positives of ${y.length} rows)`);
  }
  return Math.fround(Math.log(positives / (y.length - positives)));
}

/**
 * Boosts trees on `train`, early-stopping on `validation` (ROC-AUC). Deterministic. With an empty
 * `validation` (a refit on the whole training part), all `rounds` trees are kept.
 * @throws ALMANAC_ERR_TRAINING_FAILED when the training part holds a single class.
 */
export function trainGbdt(train: EncodedRows, validation: EncodedRows, params: Partial<GbdtParameters> = {}, onRound?: (r: GbdtRound) => void): TrainedGbdt {
  const p = { ...DEFAULT_GBDT, ...params };
  const bias = baseLogit(train.y);
  const allBins = fitFeatureBins(train.x, train.rows, train.width, Math.min(256, p.maxBins));
  const empty: TreeEnsemble = { inputs: train.width, bias, trees: [] };
  if (allBins.columns.length === 0) return { ensemble: empty, bestRound: 0, history: [] };
  const { fb, bins } = withoutDuplicateColumns(allBins, binRows(allBins, train.x, train.rows, train.width), train.rows);
  const t: Grower = {
    bins, binsByColumn: byColumn(bins, train.rows, fb.columns.length), used: fb.columns.length, fb, p, sparse: sparseBins(fb, bins, train.rows),
    gh: new Float64Array(2 * train.rows), index: new Int32Array(train.rows), scratch: new Int32Array(train.rows),
    nodes: { feature: [], value: [], left: [], right: [], splitBin: [] }, rowLeaf: new Int32Array(train.rows),
  };
  const validationBins = binRows(fb, validation.x, validation.rows, validation.width);
  const raw = new Float64Array(train.rows).fill(bias);
  const validationRaw = new Float64Array(validation.rows).fill(bias);
  const validationP = new Float32Array(validation.rows);
  const trees: RegressionTree[] = [];
  const history: GbdtRound[] = [];
  const pool: Histogram[] = [];
  const root: Histogram = new Float64Array(fb.totalBins * 2);
  let best = { auc: -Infinity, round: 0 };
  for (let round = 1; round <= p.rounds; round++) {
    gradients(train.y, raw, t.gh);
    const tree = growTree(t, train.rows, pool, root);
    for (let i = 0; i < train.rows; i++) raw[i] = (raw[i] as number) + (tree.value[t.rowLeaf[i] as number] as number);
    for (let i = 0; i < validation.rows; i++) {
      validationRaw[i] = (validationRaw[i] as number) + leafOnBins(tree, validationBins, i * t.used);
      validationP[i] = 1 / (1 + Math.exp(-(validationRaw[i] as number)));
    }
    trees.push({ feature: tree.feature, value: tree.value, left: tree.left, right: tree.right });
    if (validation.rows === 0) { best = { auc: Number.NaN, round }; continue; }
    const report = { round, validationAuc: rocAuc(validation.y, validationP), validationLogLoss: logLoss(validation.y, validationP) };
    history.push(report);
    onRound?.(report);
    if (report.validationAuc > best.auc) best = { auc: report.validationAuc, round };
    else if (round - best.round >= p.patience) break;
  }
  return { ensemble: { inputs: train.width, bias, trees: trees.slice(0, best.round) }, bestRound: best.round, history };
}

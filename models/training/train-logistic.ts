/**
 * L2-regularised logistic regression fitted to its optimum with L-BFGS (full batch, typed
 * arrays, backtracking line search): minimises mean log loss + l2/2·‖w‖² (the bias is not
 * penalised). Convex, so the result depends only on the data and `l2` — no seed, no epochs; the
 * grid over `l2` is judged on validation. Returned as a network with no hidden layer, so it
 * exports to ONNX and runs in TF.js like the MLP.
 */
import { AlmanacError } from '../../core/errors.ts';
import type { NetworkWeights } from './network.ts';
import type { EncodedRows } from './train-network.ts';

export interface LogisticParameters {
  l2: number;
  maxIterations: number;
  /** Stop when the gradient's max-norm falls below this. */
  tolerance: number;
}

export const DEFAULT_LOGISTIC: LogisticParameters = { l2: 1e-4, maxIterations: 100, tolerance: 1e-5 };

export interface TrainedLogistic { weights: NetworkWeights; iterations: number; loss: number }

/** The rows' non-zero cells (one-hot inputs are mostly zero): CSR layout. */
interface SparseRows { rows: number; width: number; start: Int32Array; column: Int32Array; value: Float64Array; y: Float32Array }

function sparse(rows: EncodedRows): SparseRows {
  const { x, width } = rows;
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const start = new Int32Array(rows.rows + 1);
  const column = new Int32Array(nnz);
  const value = new Float64Array(nnz);
  let k = 0;
  for (let r = 0; r < rows.rows; r++) {
    start[r] = k;
    for (let j = 0; j < width; j++) {
      const v = x[r * width + j] as number;
      if (v !== 0) { column[k] = j; value[k] = v; k++; }
    }
  }
  start[rows.rows] = k;
  return { rows: rows.rows, width, start, column, value, y: rows.y };
}

/** Loss and gradient at `w` (w[width] = bias). */
function lossAndGradient(rows: SparseRows, l2: number, w: Float64Array, grad: Float64Array): number {
  const { start, column, value, y, width } = rows;
  grad.fill(0);
  let loss = 0;
  for (let r = 0; r < rows.rows; r++) {
    const from = start[r] as number;
    const to = start[r + 1] as number;
    let z = w[width] as number;
    for (let k = from; k < to; k++) z += (value[k] as number) * (w[column[k] as number] as number);
    const label = y[r] as number;
    // stable: log(1 + e^z) − y·z
    loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - label * z;
    const d = 1 / (1 + Math.exp(-z)) - label;
    for (let k = from; k < to; k++) { const j = column[k] as number; grad[j] = (grad[j] as number) + d * (value[k] as number); }
    grad[width] = (grad[width] as number) + d;
  }
  const n = rows.rows;
  let penalty = 0;
  for (let j = 0; j <= width; j++) grad[j] = (grad[j] as number) / n;
  for (let j = 0; j < width; j++) { penalty += (w[j] as number) ** 2; grad[j] = (grad[j] as number) + l2 * (w[j] as number); }
  return loss / n + 0.5 * l2 * penalty;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** L-BFGS two-loop recursion: the search direction −H·grad. */
function direction(grad: Float64Array, s: Float64Array[], yv: Float64Array[]): Float64Array {
  const q = Float64Array.from(grad);
  const alpha: number[] = [];
  for (let k = s.length - 1; k >= 0; k--) {
    const a = dot(s[k] as Float64Array, q) / dot(yv[k] as Float64Array, s[k] as Float64Array);
    alpha[k] = a;
    const yk = yv[k] as Float64Array;
    for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) - a * (yk[i] as number);
  }
  if (s.length > 0) {
    const last = s.length - 1;
    const gamma = dot(s[last] as Float64Array, yv[last] as Float64Array) / dot(yv[last] as Float64Array, yv[last] as Float64Array);
    for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) * gamma;
  }
  for (let k = 0; k < s.length; k++) {
    const b = dot(yv[k] as Float64Array, q) / dot(yv[k] as Float64Array, s[k] as Float64Array);
    const sk = s[k] as Float64Array;
    for (let i = 0; i < q.length; i++) q[i] = (q[i] as number) + ((alpha[k] as number) - b) * (sk[i] as number);
  }
  for (let i = 0; i < q.length; i++) q[i] = -(q[i] as number);
  return q;
}

/**
 * Fits the logistic regression on `train`, from `warmStart`'s weights when given (same width).
 * @throws ALMANAC_ERR_TRAINING_FAILED when the part is empty or holds a single class.
 */
export function trainLogistic(train: EncodedRows, params: Partial<LogisticParameters> = {}, warmStart?: NetworkWeights): TrainedLogistic {
  const p = { ...DEFAULT_LOGISTIC, ...params };
  let positives = 0;
  for (const v of train.y) positives += v;
  if (positives === 0 || positives === train.rows) {
    throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', `training part holds a single class (${positives} positives of ${train.rows} rows)`);
  }
  const rows = sparse(train);
  const size = train.width + 1;
  let w = new Float64Array(size);
  w[train.width] = Math.log(positives / (train.rows - positives));
  const start = warmStart?.layers.length === 1 ? warmStart.layers[0] : undefined;
  if (start && start.inputs === train.width) { w.set(start.kernel); w[train.width] = start.bias[0] as number; }
  let grad = new Float64Array(size);
  let loss = lossAndGradient(rows, p.l2, w, grad);
  const s: Float64Array[] = [];
  const yv: Float64Array[] = [];
  let iterations = 0;
  const nextGrad = new Float64Array(size);
  for (; iterations < p.maxIterations && maxAbs(grad) > p.tolerance; iterations++) {
    let d = direction(grad, s, yv);
    let slope = dot(d, grad);
    if (!(slope < 0)) { d = grad.map((g) => -g); slope = dot(d, grad); s.length = 0; yv.length = 0; }
    let step = iterations === 0 ? Math.min(1, 1 / Math.max(1e-12, maxAbs(grad))) : 1;
    let candidate = new Float64Array(size);
    let next = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < size; i++) candidate[i] = (w[i] as number) + step * (d[i] as number);
      next = lossAndGradient(rows, p.l2, candidate, nextGrad);
      if (next <= loss + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(next < loss)) break;
    const sk = new Float64Array(size);
    const yk = new Float64Array(size);
    for (let i = 0; i < size; i++) { sk[i] = (candidate[i] as number) - (w[i] as number); yk[i] = (nextGrad[i] as number) - (grad[i] as number); }
    if (dot(sk, yk) > 1e-12) { s.push(sk); yv.push(yk); if (s.length > 10) { s.shift(); yv.shift(); } }
    [w, candidate] = [candidate, w];
    grad = Float64Array.from(nextGrad);
    loss = next;
  }
  const kernel = Float32Array.from(w.subarray(0, train.width));
  return { weights: { layers: [{ inputs: train.width, units: 1, kernel, bias: Float32Array.of(w[train.width] as number) }] }, iterations, loss };
}

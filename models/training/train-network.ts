/**
 * Trains a dense network (or, with no hidden layers, a logistic regression) in TF.js:
 * ReLU hidden layers with dropout, L2 on kernels, class-weighted cross-entropy, Adam, and early
 * stopping on a validation part (the best epoch's weights are kept). The class weight is undone
 * afterwards by shifting the output bias by −log(positiveWeight) (prior correction), so the
 * probabilities stay calibrated to the training base rate.
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { AlmanacError } from '../../core/errors.ts';
import { rocAuc } from '../evaluation/roc-auc.ts';
import { logLoss } from '../evaluation/log-loss.ts';
import { loadTf, type Tf } from '../tf-backend.ts';
import { forwardTf, type NetworkWeights } from './network.ts';
import { randomInt31, seededRandom, shuffleInPlace } from '../../core/seeded-random.ts';

/** Training's stream is mulberry32 seeded with `seed ^ 0x9e3779b9` (kept so trained weights stay as they were). */
type SeededRandom = () => number;

export interface NetworkParameters {
  hidden: number[];
  dropout: number;
  l2: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Epochs without a better validation ROC-AUC before stopping. */
  patience: number;
  seed: number;
  /** Weight of positive rows: 'balanced' = negatives/positives, 'sqrt' = its square root, or 'none'. */
  classWeight: 'balanced' | 'sqrt' | 'none';
}

export const DEFAULT_NETWORK: NetworkParameters = {
  hidden: [64, 32], dropout: 0.3, l2: 1e-3, learningRate: 1e-3, batchSize: 256, epochs: 30, patience: 5, seed: 42, classWeight: 'sqrt',
};

export interface EncodedRows { x: Float32Array; y: Float32Array; rows: number; width: number }

export interface EpochReport { epoch: number; loss: number; validationAuc: number; validationLogLoss: number }

export interface TrainedNetwork { weights: NetworkWeights; history: EpochReport[]; bestEpoch: number; positiveWeight: number }

function glorotLayer(rng: SeededRandom, inputs: number, units: number) {
  const limit = Math.sqrt(6 / (inputs + units));
  const kernel = Float32Array.from({ length: inputs * units }, () => (rng() * 2 - 1) * limit);
  return { inputs, units, kernel, bias: new Float32Array(units) };
}

function positiveWeightOf(y: Float32Array, mode: NetworkParameters['classWeight']): number {
  let positives = 0;
  for (const v of y) positives += v;
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new AlmanacError('ALMANAC_ERR_TRAINING_FAILED', `training part holds a single class (${positives} positives of ${y.length} rows)`);
  }
  if (mode === 'none') return 1;
  return mode === 'balanced' ? negatives / positives : Math.sqrt(negatives / positives);
}

interface Vars { kernels: Variable[]; biases: Variable[] }

function logitsOf(tf: Tf, vars: Vars, x: Tensor2D, dropout: number, rng: SeededRandom | undefined): Tensor2D {
  let h: Tensor2D = x;
  const last = vars.kernels.length - 1;
  vars.kernels.forEach((k, i) => {
    h = tf.add(tf.matMul(h, k as Tensor2D), vars.biases[i] as Tensor) as Tensor2D;
    if (i < last) {
      h = tf.relu(h);
      if (rng && dropout > 0) h = tf.dropout(h, dropout, undefined, randomInt31(rng)) as Tensor2D;
    }
  });
  return h;
}

function batchLoss(tf: Tf, vars: Vars, x: Tensor2D, y: Tensor2D, p: NetworkParameters, posWeight: number, rng: SeededRandom): Scalar {
  const z = logitsOf(tf, vars, x, p.dropout, rng);
  // Stable BCE from logits: max(z,0) − z·y + log(1 + e^−|z|).
  const bce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
  const w = tf.add(tf.mul(y, posWeight - 1), 1);
  const data = tf.div(tf.sum(tf.mul(bce, w)), tf.sum(w));
  const l2 = vars.kernels.reduce<Tensor>((acc, k) => tf.add(acc, tf.sum(tf.square(k))), tf.scalar(0));
  return tf.add(data, tf.mul(l2, p.l2)) as Scalar;
}

function snapshot(vars: Vars, template: NetworkWeights): NetworkWeights {
  return {
    layers: template.layers.map((l, i) => ({
      inputs: l.inputs, units: l.units,
      kernel: Float32Array.from((vars.kernels[i] as Variable).dataSync()),
      bias: Float32Array.from((vars.biases[i] as Variable).dataSync()),
    })),
  };
}

function withPriorCorrection(weights: NetworkWeights, posWeight: number): NetworkWeights {
  const layers = weights.layers.map((l) => ({ ...l, bias: Float32Array.from(l.bias) }));
  const out = layers[layers.length - 1];
  if (out) out.bias[0] = (out.bias[0] as number) - Math.log(posWeight);
  return { layers };
}

function runEpoch(tf: Tf, vars: Vars, train: EncodedRows, p: NetworkParameters, posWeight: number, rng: SeededRandom, optimizer: ReturnType<Tf['train']['adam']>): number {
  const order = shuffleInPlace(Array.from({ length: train.rows }, (_, i) => i), rng);
  let total = 0;
  let batches = 0;
  for (let start = 0; start < order.length; start += p.batchSize) {
    const idx = order.slice(start, start + p.batchSize);
    const xb = new Float32Array(idx.length * train.width);
    const yb = new Float32Array(idx.length);
    idx.forEach((r, i) => { xb.set(train.x.subarray(r * train.width, (r + 1) * train.width), i * train.width); yb[i] = train.y[r] as number; });
    const x = tf.tensor2d(xb, [idx.length, train.width]);
    const y = tf.tensor2d(yb, [idx.length, 1]);
    const loss = optimizer.minimize(() => batchLoss(tf, vars, x, y, p, posWeight, rng), true, [...vars.kernels, ...vars.biases]);
    total += loss ? (loss.dataSync()[0] as number) : 0;
    loss?.dispose();
    x.dispose();
    y.dispose();
    batches++;
  }
  return total / Math.max(1, batches);
}

function sameShape(a: NetworkWeights, b: NetworkWeights): boolean {
  return a.layers.length === b.layers.length && a.layers.every((l, i) => l.inputs === b.layers[i]?.inputs && l.units === b.layers[i]?.units);
}

/**
 * Trains on `train`, early-stopping on `validation`; from `warmStart`'s weights when given (same
 * layer sizes), else from seeded Glorot weights. Deterministic for a given seed. With an empty
 * `validation` (a refit on the whole training part), every epoch runs and the last one is kept.
 * @throws ALMANAC_ERR_TRAINING_FAILED when the training part holds a single class.
 */
export async function trainNetwork(train: EncodedRows, validation: EncodedRows, params: Partial<NetworkParameters> = {}, onEpoch?: (r: EpochReport) => void, warmStart?: NetworkWeights): Promise<TrainedNetwork> {
  const p = { ...DEFAULT_NETWORK, ...params };
  const tf = await loadTf();
  const posWeight = positiveWeightOf(train.y, p.classWeight);
  const rng = seededRandom((p.seed >>> 0) ^ 0x9e3779b9);
  const sizes = [train.width, ...p.hidden, 1];
  const fresh: NetworkWeights = { layers: sizes.slice(1).map((units, i) => glorotLayer(rng, sizes[i] as number, units)) };
  // A warm start continues from trained weights (same layer sizes): the prior correction is undone first.
  const initial = warmStart && sameShape(warmStart, fresh) ? withPriorCorrection(warmStart, 1 / posWeight) : fresh;
  const vars: Vars = {
    kernels: initial.layers.map((l) => tf.variable(tf.tensor2d(l.kernel, [l.inputs, l.units]))),
    biases: initial.layers.map((l) => tf.variable(tf.tensor1d(l.bias))),
  };
  const optimizer = tf.train.adam(p.learningRate);
  const history: EpochReport[] = [];
  let best = { auc: -Infinity, epoch: 0, weights: initial };
  try {
    for (let epoch = 1; epoch <= p.epochs; epoch++) {
      const loss = runEpoch(tf, vars, train, p, posWeight, rng, optimizer);
      const current = withPriorCorrection(snapshot(vars, initial), posWeight);
      if (validation.rows === 0) {
        history.push({ epoch, loss, validationAuc: Number.NaN, validationLogLoss: Number.NaN });
        best = { auc: Number.NaN, epoch, weights: current };
        continue;
      }
      const probs = forwardTf(tf, current, validation.x, validation.rows).probabilities;
      const auc = rocAuc(validation.y, probs);
      const report = { epoch, loss, validationAuc: auc, validationLogLoss: logLoss(validation.y, probs) };
      history.push(report);
      onEpoch?.(report);
      if (auc > best.auc || Number.isNaN(best.auc)) best = { auc, epoch, weights: current };
      else if (epoch - best.epoch >= p.patience) break;
    }
  } finally {
    optimizer.dispose();
    for (const v of [...vars.kernels, ...vars.biases]) v.dispose();
  }
  return { weights: best.weights, history, bestEpoch: best.epoch, positiveWeight: posWeight };
}

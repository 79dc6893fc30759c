/**
 * Trains the touch-success network and the logistic baseline on a TrainingSet and evaluates both
 * on the time-based holdout. Generic over the manifest's columns. Steps:
 *   time split (holdout = last fraction) → validation = last part of the training period →
 *   signature fitted on the training part → encode → train network + baseline → evaluate.
 */
import type { TrainingExample, TrainingSet } from '../../features/training-set.ts';
import { evaluateHoldout } from '../evaluation/evaluate.ts';
import { encodeRecords } from '../inference/encode.ts';
import type { InputSignature, ModelMetrics } from '../registry/model-registry.ts';
import { loadTf } from '../tf-backend.ts';
import { DEFAULT_ENCODING, fitSignature, type EncodingOptions } from './fit-signature.ts';
import { embeddingWidthOf, forwardTf, type NetworkWeights } from './network.ts';
import { splitByTime } from './time-split.ts';
import { DEFAULT_NETWORK, trainNetwork, type EncodedRows, type EpochReport, type NetworkParameters, type TrainedNetwork } from './train-network.ts';

export interface TrainModelOptions {
  /** Fraction of rows (latest by time) held out for evaluation. Default 0.2. */
  holdout?: number;
  /** Fraction of the training part (its latest rows) used for early stopping. Default 0.15. */
  validation?: number;
  network?: Partial<NetworkParameters>;
  baseline?: Partial<NetworkParameters>;
  encoding?: Partial<EncodingOptions>;
  onEpoch?: (model: 'network' | 'baseline', report: EpochReport) => void;
}

export interface TrainedModel {
  signature: InputSignature;
  network: TrainedNetwork;
  baseline: TrainedNetwork;
  metrics: ModelMetrics;
  split: { trainRows: number; validationRows: number; holdoutRows: number; holdoutFromTs: number };
  parameters: Record<string, unknown>;
}

function encodeRows(signature: InputSignature, examples: TrainingExample[]): EncodedRows {
  return {
    x: encodeRecords(signature, examples.map((e) => e.features)),
    y: Float32Array.from(examples, (e) => e.label),
    rows: examples.length,
    width: signature.inputWidth,
  };
}

async function holdoutProbabilities(weights: NetworkWeights, rows: EncodedRows): Promise<Float32Array> {
  return forwardTf(await loadTf(), weights, rows.x, rows.rows).probabilities;
}

/** @throws ALMANAC_ERR_TRAINING_FAILED (too few rows, a single class) / ALMANAC_ERR_INPUT_INVALID (bad fractions). */
export async function trainModel(set: TrainingSet, options: TrainModelOptions = {}): Promise<TrainedModel> {
  const holdoutFraction = options.holdout ?? 0.2;
  const validationFraction = options.validation ?? 0.15;
  const outer = splitByTime(set.examples, holdoutFraction);
  const inner = splitByTime(outer.train, validationFraction);
  const fitted = fitSignature(set.manifest.columns, outer.train.map((e) => e.features), options.encoding);
  const train = encodeRows(fitted, inner.train);
  const validation = encodeRows(fitted, inner.holdout);
  const holdout = encodeRows(fitted, outer.holdout);

  const network = await trainNetwork(train, validation, options.network, (r) => options.onEpoch?.('network', r));
  const baseline = await trainNetwork(train, validation, { epochs: 30, learningRate: 0.01, ...options.baseline, hidden: [], dropout: 0 }, (r) => options.onEpoch?.('baseline', r));
  const embeddingWidth = embeddingWidthOf(network.weights);
  const signature: InputSignature = embeddingWidth
    ? { ...fitted, outputs: { probability: 'probability', embedding: 'embedding' }, embeddingWidth }
    : fitted;

  const networkEval = evaluateHoldout(holdout.y, await holdoutProbabilities(network.weights, holdout));
  const baselineEval = evaluateHoldout(holdout.y, await holdoutProbabilities(baseline.weights, holdout));
  const metrics: ModelMetrics = {
    ...networkEval,
    baseline: { roc_auc: baselineEval.roc_auc, pr_auc: baselineEval.pr_auc, log_loss: baselineEval.log_loss },
  };
  const parameters = {
    holdout: holdoutFraction, validation: validationFraction,
    network: { ...DEFAULT_NETWORK, ...options.network, hidden: network.weights.layers.slice(0, -1).map((l) => l.units), bestEpoch: network.bestEpoch, epochsRun: network.history.length, positiveWeight: network.positiveWeight },
    baseline: { bestEpoch: baseline.bestEpoch, epochsRun: baseline.history.length },
    encoding: { ...DEFAULT_ENCODING, ...options.encoding },
  };
  return {
    signature, network, baseline, metrics, parameters,
    split: { trainRows: train.rows, validationRows: validation.rows, holdoutRows: holdout.rows, holdoutFromTs: outer.boundaryTs },
  };
}

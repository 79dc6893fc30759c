/**
 * The model families the trainer compares on one training set, and how each candidate is fitted
 * and scored: logistic regression (L-BFGS, train-logistic.ts), the TF.js MLP (train-network.ts)
 * and gradient-boosted trees (gbdt/). A candidate is a family, its hyperparameters and the
 * encoding it reads; every fitted model scores encoded rows, so all families share one encoder.
 */
import type { EncodingOptions } from './fit-signature.ts';
import type { ModelFamily } from './model-family-names.ts';
import { predictEnsemble, type TreeEnsemble } from './gbdt/tree-ensemble.ts';
import { trainGbdt, type GbdtParameters } from './gbdt/train-gbdt.ts';
import { forwardTf, type NetworkWeights } from './network.ts';
import { trainLogistic, type LogisticParameters } from './train-logistic.ts';
import { trainNetwork, type EncodedRows, type EpochReport, type NetworkParameters } from './train-network.ts';
import { loadTf } from '../tf-backend.ts';

export { MODEL_FAMILIES, type ModelFamily } from './model-family-names.ts';

export type Candidate =
  | { family: 'logistic'; encoding: Partial<EncodingOptions>; params: Partial<LogisticParameters> }
  | { family: 'mlp'; encoding: Partial<EncodingOptions>; params: Partial<NetworkParameters> }
  | { family: 'gbdt'; encoding: Partial<EncodingOptions>; params: Partial<GbdtParameters> };

/** A fitted model: network weights (logistic, MLP) or a tree ensemble. */
export type FittedModel =
  | { kind: 'network'; weights: NetworkWeights; details: Record<string, number> }
  | { kind: 'trees'; ensemble: TreeEnsemble; details: Record<string, number> };

/** A short, stable label of a candidate: family and the parameters that differ from defaults. */
export function candidateLabel(c: Candidate): string {
  const parts: string[] = [c.family];
  for (const [k, v] of Object.entries(c.params)) if (k !== 'seed' && k !== 'epochs' && k !== 'maxIterations') parts.push(`${k}=${Array.isArray(v) ? v.join('x') || 'none' : String(v)}`);
  if (c.encoding.transform === 'auto') parts.push('log1p');
  if (c.encoding.sources === 'own') parts.push('own-columns');
  if ((c.encoding.bins ?? 0) > 1) parts.push(`bins=${c.encoding.bins}`);
  if ((c.encoding.levels ?? 0) > 1) parts.push(`levels=${c.encoding.levels}${c.encoding.levelValues === 'any' ? '' : ' whole'}`);
  return parts.join(' ');
}

/** Fits one candidate on `train`, early-stopping (MLP, trees) on `validation`; networks may start from `warmStart`'s weights. */
export async function fitCandidate(c: Candidate, train: EncodedRows, validation: EncodedRows, onEpoch?: (r: EpochReport) => void, warmStart?: FittedModel): Promise<FittedModel> {
  const start = warmStart?.kind === 'network' ? warmStart.weights : undefined;
  if (c.family === 'logistic') {
    const m = trainLogistic(train, c.params, start);
    return { kind: 'network', weights: m.weights, details: { iterations: m.iterations } };
  }
  if (c.family === 'mlp') {
    const m = await trainNetwork(train, validation, c.params, onEpoch, start);
    return { kind: 'network', weights: m.weights, details: { bestEpoch: m.bestEpoch, epochsRun: m.history.length, positiveWeight: m.positiveWeight } };
  }
  const m = trainGbdt(train, validation, c.params);
  return { kind: 'trees', ensemble: m.ensemble, details: { trees: m.bestRound, roundsRun: m.history.length } };
}

/** Probabilities of encoded rows under a fitted model (TF.js for networks, JS for trees). */
export async function scoreRows(model: FittedModel, rows: EncodedRows): Promise<Float32Array> {
  if (model.kind === 'trees') return predictEnsemble(model.ensemble, rows.x, rows.rows);
  return forwardTf(await loadTf(), model.weights, rows.x, rows.rows).probabilities;
}

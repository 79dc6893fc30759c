/**
 * Trains several model families on a TrainingSet and keeps the best on validation:
 *   holdout split (time by default: the latest fraction) → validation = the latest part of the
 *   training period (time-series cross-validation over 3 expanding folds: one window is one sample
 *   of the drift, and under drift a single window can rank candidates at random) →
 *   per candidate: encoding fitted on the fold's training rows only → fit → validation ROC-AUC →
 *   the candidate with the best mean validation ROC-AUC is served (ties within 0.001 go to the
 *   lower validation log loss). Every candidate is also scored
 *   on the holdout, for the leaderboard only: the holdout never chooses anything.
 * The grid is small and staged: logistic regression over encodings (raw / log1p on heavy-tailed
 * columns / quantile bins on small sets / few-valued numerics as levels) and L2 (1e-4, 1e-3, 1e-2); the MLP on the encoding logistic chose; trees
 * over depth (early stopping on rounds).
 */
import type { TrainingExample, TrainingSet } from '../../features/training-set.ts';
import { evaluateHoldout } from '../evaluation/evaluate.ts';
import { logLoss } from '../evaluation/log-loss.ts';
import { rocAuc } from '../evaluation/roc-auc.ts';
import { encodeRecords } from '../inference/encode.ts';
import type { InputSignature, LeaderboardEntry, ModelMetrics } from '../registry/model-registry.ts';
import { DEFAULT_ENCODING, fitSignature, type EncodingOptions } from './fit-signature.ts';
import { candidateLabel, fitCandidate, MODEL_FAMILIES, scoreRows, type Candidate, type FittedModel, type ModelFamily } from './model-family.ts';
import { embeddingWidthOf } from './network.ts';
import { DEFAULT_LOGISTIC } from './train-logistic.ts';
import { splitStratified } from './stratified-split.ts';
import { splitByTime } from './time-split.ts';
import type { EncodedRows, EpochReport, NetworkParameters } from './train-network.ts';

/** Below this many training rows, the encodings tried include quantile bins. */
export const SMALL_BELOW_ROWS = 20_000;

/** Time-series cross-validation folds of a time split (a stratified split has one validation part). */
export const TIME_FOLDS = 3;

export interface TrainModelOptions {
  /** Fraction of rows held out for evaluation (the latest by time, unless split = 'stratified'). Default 0.2. */
  holdout?: number;
  /** Fraction of the training part (its latest rows) each validation fold holds. Default 0.15. */
  validation?: number;
  /** 'time' (default) or 'stratified' (seeded random, each class keeping its share; for comparisons with published figures). */
  split?: 'time' | 'stratified';
  /** Seed of the stratified split. Default 0. */
  splitSeed?: number;
  /** MLP parameters (epochs, seed, …). */
  network?: Partial<NetworkParameters>;
  /** Encoding options every candidate starts from. */
  encoding?: Partial<EncodingOptions>;
  /** Families to train. Default: all. */
  families?: readonly ModelFamily[];
  /** Validation folds of a time split (default TIME_FOLDS). */
  folds?: number;
  onEpoch?: (model: string, report: EpochReport) => void;
  /** One line per fitted candidate (progress for long work). */
  onProgress?: (line: string) => void;
}

export interface TrainedModel {
  family: ModelFamily;
  signature: InputSignature;
  model: FittedModel;
  metrics: ModelMetrics;
  leaderboard: LeaderboardEntry[];
  split: { trainRows: number; validationRows: number; holdoutRows: number; holdoutFromTs: number; kind: 'time' | 'stratified'; folds: number };
  parameters: Record<string, unknown>;
  /** Wall time of the whole selection, and of fitting the served model alone on encoded rows (s; encoding excluded, as in the peers' figures). */
  seconds: { total: number; served: number };
}

interface Fold { train: TrainingExample[]; validation: TrainingExample[] }

function encodeRows(signature: InputSignature, examples: readonly TrainingExample[]): EncodedRows {
  return { x: encodeRecords(signature, examples.map((e) => e.features)), y: Float32Array.from(examples, (e) => e.label), rows: examples.length, width: signature.inputWidth };
}

/** Expanding-window folds over time-ordered rows; the last fold is the usual train/validation split. */
function foldsOf(rows: TrainingExample[], fraction: number, folds: number, kind: 'time' | 'stratified', seed: number): Fold[] {
  if (kind === 'stratified') {
    const s = splitStratified(rows, fraction, seed + 1);
    return [{ train: s.train, validation: s.holdout }];
  }
  const sorted = splitByTime(rows, fraction);
  const all = [...sorted.train, ...sorted.holdout];
  const block = sorted.holdout.length;
  const out: Fold[] = [];
  for (let k = folds; k >= 1; k--) {
    const end = all.length - (k - 1) * block;
    const start = end - block;
    if (start < block) continue;
    out.push({ train: all.slice(0, start), validation: all.slice(start, end) });
  }
  return out.length > 0 ? out : [{ train: sorted.train, validation: sorted.holdout }];
}

interface Judged { candidate: Candidate; label: string; validationAuc: number; validationLogLoss: number; model: FittedModel; signature: InputSignature; seconds: number; lastFoldSeconds: number }

class Judge {
  /** The folds encoded with one encoding (its key): rows × input width floats each, so one is held at a time. */
  private held: { key: string; parts: { signature: InputSignature; train: EncodedRows; validation: EncodedRows }[] } | undefined;
  readonly judged: Judged[] = [];

  /** Drops the fold encoding held (the refits and the holdout encode their own rows): tens of MB. */
  release(): void {
    this.held = undefined;
  }

  constructor(private readonly set: TrainingSet, private readonly folds: Fold[], private readonly base: Partial<EncodingOptions>, private readonly options: TrainModelOptions) {}

  /** The folds encoded with `encoding`: the one held when it is that one, else encoded anew in its place. */
  private parts(encoding: Partial<EncodingOptions>) {
    const full = { ...this.base, ...encoding };
    const key = JSON.stringify(full);
    if (this.held?.key === key) return this.held.parts;
    this.held = undefined; // the old encoding goes before the new one is built
    const parts = this.folds.map((f) => {
      const signature = fitSignature(this.set.manifest.columns, f.train.map((e) => e.features), full);
      return { signature, train: encodeRows(signature, f.train), validation: encodeRows(signature, f.validation) };
    });
    this.held = { key, parts };
    return parts;
  }

  async judge(candidate: Candidate): Promise<Judged> {
    const label = candidateLabel(candidate);
    const parts = this.parts(candidate.encoding);
    let auc = 0;
    let loss = 0;
    let seconds = 0;
    let last: { model: FittedModel; seconds: number } | undefined;
    for (const [i, p] of parts.entries()) {
      const started = performance.now();
      const model = await fitCandidate(candidate, p.train, p.validation, (r) => this.options.onEpoch?.(candidate.family === 'mlp' ? 'network' : candidate.family, r));
      const fit = (performance.now() - started) / 1000;
      seconds += fit;
      const probs = await scoreRows(model, p.validation);
      auc += rocAuc(p.validation.y, probs);
      loss += logLoss(p.validation.y, probs);
      if (i === parts.length - 1) last = { model, seconds: fit };
    }
    const done = last as { model: FittedModel; seconds: number };
    const judged: Judged = {
      candidate, label, validationAuc: auc / parts.length, validationLogLoss: loss / parts.length, model: done.model,
      signature: (parts[parts.length - 1] as { signature: InputSignature }).signature, seconds, lastFoldSeconds: done.seconds,
    };
    this.judged.push(judged);
    this.options.onProgress?.(`[train] ${label.padEnd(34)} val_roc_auc ${judged.validationAuc.toFixed(4)} over ${parts.length} fold${parts.length > 1 ? 's' : ''} (${seconds.toFixed(1)} s)`);
    return judged;
  }
}

function stratifiedOuter(examples: readonly TrainingExample[], fraction: number, seed: number) {
  const s = splitStratified(examples, fraction, seed);
  return { ...s, boundaryTs: s.holdout.reduce((m, e) => Math.min(m, e.ts), Number.POSITIVE_INFINITY) };
}

const byValidation = (a: Judged, b: Judged) => b.validationAuc - a.validationAuc;

/** Validation ROC-AUCs closer than this are a tie, broken by the lower validation log loss. */
export const VALIDATION_AUC_TIE = 0.001;

/** The best of `judged` on validation: the highest ROC-AUC, ties (within VALIDATION_AUC_TIE) to the lower log loss. */
function bestOnValidation(judged: readonly Judged[]): Judged {
  const top = Math.max(...judged.map((j) => j.validationAuc));
  const tied = judged.filter((j) => j.validationAuc >= top - VALIDATION_AUC_TIE);
  return tied.reduce((a, b) => (b.validationLogLoss < a.validationLogLoss ? b : a));
}

/** Numeric columns with at most this many distinct training values may be encoded as levels (a candidate encoding: months, weekdays, small counts). */
const LEVELS = 12;

/**
 * The candidates, judged so that those on one encoding follow each other (the judge holds one
 * encoding at a time): GBDT's (no transform) right after the logistic model on that encoding; the
 * l2 grid and the MLP on the logistic model's best encoding, once it is known.
 */
async function searchFamilies(judge: Judge, families: readonly ModelFamily[], small: boolean, network: Partial<NetworkParameters>): Promise<void> {
  const plain: Partial<EncodingOptions> = { transform: 'none' };
  let encoding = plain;
  const gbdt = async (): Promise<void> => {
    if (!families.includes('gbdt')) return;
    for (const maxDepth of [3, 5]) await judge.judge({ family: 'gbdt', encoding: plain, params: { maxDepth, learningRate: 0.1 } });
  };
  if (families.includes('logistic')) {
    const encodings: Partial<EncodingOptions>[] = [
      plain, { transform: 'auto' }, ...(small ? [{ transform: 'auto' as const, bins: 8 }] : []),
      { transform: 'none', levels: LEVELS, levelValues: 'whole' }, { transform: 'none', levels: LEVELS, levelValues: 'any' },
    ];
    const first = [];
    for (const e of encodings) {
      first.push(await judge.judge({ family: 'logistic', encoding: e, params: { l2: 1e-4 } }));
      if (e === plain) await gbdt();
    }
    const best = bestOnValidation(first);
    encoding = best.candidate.encoding;
    for (const l2 of [1e-3, 1e-2]) await judge.judge({ family: 'logistic', encoding, params: { l2 } });
  } else await gbdt();
  if (families.includes('mlp')) await judge.judge({ family: 'mlp', encoding, params: network });
}

interface Refit { signature: InputSignature; model: FittedModel; params: Candidate['params']; seconds: number }

/**
 * Refits a chosen candidate on the whole training part (validation rows included: under drift the
 * latest rows matter most) with what validation chose: logistic regression and trees on the
 * encoding refitted to the whole part (so levels and categories first seen in the validation rows
 * get their slots), logistic regression from its fold solution when the width is unchanged
 * (convex: the same optimum, sooner), trees from scratch for the rounds early stopping chose,
 * scaled by the part's growth; the MLP on the last fold's encoding, from its fold weights for
 * min(2, best epoch) more epochs.
 */
async function refit(j: Judged, rows: TrainingExample[], foldRows: number, set: TrainingSet, base: Partial<EncodingOptions>): Promise<Refit> {
  const signature = j.candidate.family === 'mlp' ? j.signature : fitSignature(set.manifest.columns, rows.map((e) => e.features), { ...base, ...j.candidate.encoding });
  const train = encodeRows(signature, rows);
  // The fit alone, as the peers' figures (preprocessing excluded): the rows are encoded above.
  const started = performance.now();
  const none: EncodedRows = { x: new Float32Array(0), y: new Float32Array(0), rows: 0, width: signature.inputWidth };
  const d = j.model.details;
  const c = j.candidate;
  const candidate: Candidate = c.family === 'mlp' ? { ...c, params: { ...c.params, epochs: Math.max(1, Math.min(2, d.bestEpoch ?? 1)) } }
    : c.family === 'gbdt' ? { ...c, params: { ...c.params, rounds: Math.max(1, Math.round((d.trees ?? 1) * (rows.length / Math.max(1, foldRows)))) } }
      : { ...c, params: { ...c.params, maxIterations: DEFAULT_LOGISTIC.maxIterations } };
  const model = await fitCandidate(candidate, train, none, undefined, j.model);
  return { signature, model, params: candidate.params, seconds: (performance.now() - started) / 1000 };
}

function servedSignature(winner: { signature: InputSignature; model: FittedModel }): InputSignature {
  const width = winner.model.kind === 'network' ? embeddingWidthOf(winner.model.weights) : undefined;
  return width ? { ...winner.signature, outputs: { probability: 'probability', embedding: 'embedding' }, embeddingWidth: width } : winner.signature;
}

/** @throws ALMANAC_ERR_TRAINING_FAILED (too few rows, a single class) / ALMANAC_ERR_INPUT_INVALID (bad fractions). */
export async function trainModel(set: TrainingSet, options: TrainModelOptions = {}): Promise<TrainedModel> {
  const started = performance.now();
  const holdoutFraction = options.holdout ?? 0.2;
  const validationFraction = options.validation ?? 0.15;
  const kind = options.split ?? 'time';
  const seed = options.splitSeed ?? 0;
  const outer = kind === 'time' ? splitByTime(set.examples, holdoutFraction) : stratifiedOuter(set.examples, holdoutFraction, seed);
  const small = outer.train.length < SMALL_BELOW_ROWS;
  const folds = foldsOf(outer.train, validationFraction, options.folds ?? TIME_FOLDS, kind, seed);
  const judge = new Judge(set, folds, { ...DEFAULT_ENCODING, ...options.encoding }, options);
  await searchFamilies(judge, options.families ?? MODEL_FAMILIES, small, options.network ?? {});
  judge.release();

  const ranked = [...judge.judged].sort(byValidation);
  const winner = bestOnValidation(ranked);
  const familyBest = new Set<Judged>();
  for (const family of new Set(ranked.map((j) => j.candidate.family))) familyBest.add(bestOnValidation(ranked.filter((j) => j.candidate.family === family)));
  const lastFold = folds[folds.length - 1] as Fold;
  const refits = new Map<Judged, Refit>();
  for (const j of familyBest) {
    const r = await refit(j, outer.train, lastFold.train.length, set, { ...DEFAULT_ENCODING, ...options.encoding });
    refits.set(j, r);
    options.onProgress?.(`[train] refit ${j.label} on all ${outer.train.length} training rows (${r.seconds.toFixed(1)} s)`);
  }
  const leaderboard: LeaderboardEntry[] = [];
  const holdoutOf = new Map<Judged, ReturnType<typeof evaluateHoldout>>();
  for (const j of judge.judged) {
    const r = refits.get(j);
    const signature = r?.signature ?? j.signature;
    const rows = encodeRows(signature, outer.holdout);
    const h = evaluateHoldout(rows.y, await scoreRows(r?.model ?? j.model, rows));
    holdoutOf.set(j, h);
    leaderboard.push({
      family: j.candidate.family, candidate: j.label, served: j === winner, refit: r !== undefined,
      validation: { roc_auc: j.validationAuc, log_loss: j.validationLogLoss },
      holdout: { roc_auc: h.roc_auc, pr_auc: h.pr_auc, log_loss: h.log_loss },
      fit_seconds: Number((j.seconds + (r?.seconds ?? 0)).toFixed(3)),
    });
  }
  const served = refits.get(winner) as Refit;
  const logistic = [...familyBest].find((j) => j.candidate.family === 'logistic');
  const lh = logistic ? holdoutOf.get(logistic) : undefined;
  const metrics: ModelMetrics = {
    ...(holdoutOf.get(winner) as ReturnType<typeof evaluateHoldout>),
    ...(lh ? { baseline: { roc_auc: lh.roc_auc, pr_auc: lh.pr_auc, log_loss: lh.log_loss } } : {}),
    family: winner.candidate.family,
    leaderboard,
  };
  const last = folds[folds.length - 1] as Fold;
  return {
    family: winner.candidate.family, signature: servedSignature(served), model: served.model, metrics, leaderboard,
    split: { trainRows: last.train.length, validationRows: last.validation.length, holdoutRows: outer.holdout.length, holdoutFromTs: outer.boundaryTs, kind, folds: folds.length },
    parameters: {
      holdout: holdoutFraction, validation: validationFraction, family: winner.candidate.family, candidate: winner.label,
      hyperparameters: served.params, encoding: { ...DEFAULT_ENCODING, ...options.encoding, ...winner.candidate.encoding }, fit: served.model.details, selectedOn: winner.model.details,
    },
    seconds: { total: (performance.now() - started) / 1000, served: served.seconds },
  };
}

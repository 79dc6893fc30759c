/**
 * ModelRegistry port: versioned model artifacts with metrics, input signature, lineage and the
 * aliases `champion` and `challenger`. The embedded adapter keeps them on disk under
 * `<home>/registry`; every change is an atomic file replace, so readers (a serving process)
 * see the old or the new state, never a mix.
 */
import type { FeatureColumn } from '../../features/training-set.ts';

export type ModelAlias = 'champion' | 'challenger';

/** How serving turns a FeatureRecord into the model's input tensor, column by column. */
export interface InputSignature {
  /** Columns in tensor order. */
  features: SignatureFeature[];
  /** Total input width (sum of widths). */
  inputWidth: number;
  /** Output names of the ONNX graph: probability (and embedding, when the model has one). */
  outputs: { probability: string; embedding?: string };
  inputName: string;
  embeddingWidth?: number;
}

export type SignatureFeature =
  | {
      name: string;
      type: 'numeric';
      mean: number;
      std: number;
      /** value used when missing, before scaling */
      fill: number;
      missingIndicator: boolean;
      /** Optional: the standardised value is clipped to [-clip, clip] (absent = no clipping). */
      clip?: number;
      /** Optional: applied after the fill and before scaling (absent = identity); mean/std are of the transformed values. */
      transform?: 'signed_log1p';
      /** Optional: ascending quantile edges of the transformed value; adds a one-hot of its bin (bins.length + 1 slots). */
      bins?: number[];
    }
  | {
      name: string;
      type: 'categorical';
      /** One-hot slots, most frequent first; then one OOV slot (missing values, and unknown ones without hash buckets). */
      vocabulary: string[];
      /**
       * Optional, for high-cardinality columns: values outside the vocabulary are hashed (FNV-1a,
       * core/stable-hash) into this many one-hot slots after the OOV slot instead of sharing it, so
       * the long tail keeps some signal without a slot per value (absent = no hashing).
       */
      hashBuckets?: number;
    };

export interface ModelMetrics {
  roc_auc: number;
  pr_auc: number;
  log_loss: number;
  /** Reliability bins on the holdout: mean predicted vs observed rate. */
  calibration: { bin: number; count: number; mean_predicted: number; observed_rate: number }[];
  holdout_rows: number;
  holdout_positives: number;
  /** The holdout's ROC curve: [fpr, tpr] at fpr 0, 0.01, …, 1 (models/evaluation/roc-curve.ts); absent for older and external models. */
  roc_curve?: [number, number][];
  /** The logistic baseline trained alongside, on the same split. */
  baseline?: { roc_auc: number; pr_auc: number; log_loss: number };
  /** The family of the served model ('logistic', 'mlp', 'gbdt'); absent for older and external models. */
  family?: string;
  /** Every candidate the trainer compared, with validation (which chose) and holdout (which did not) metrics. */
  leaderboard?: LeaderboardEntry[];
}

/** One candidate of a training run. */
export interface LeaderboardEntry {
  family: string;
  /** Family and hyperparameters, e.g. 'gbdt maxDepth=3 learningRate=0.1'. */
  candidate: string;
  /** True for the one registered and served (best validation ROC-AUC). */
  served: boolean;
  /** True when the holdout figures are of the candidate refitted on the whole training part (each family's best is). */
  refit?: boolean;
  /** Mean over the validation folds. */
  validation: { roc_auc: number; log_loss: number };
  holdout: { roc_auc: number; pr_auc: number; log_loss: number };
  /** Fitting time over all folds (s). */
  fit_seconds: number;
}

export interface ModelLineage {
  trainingSetId: string;
  trainingRange: { from: number; to: number };
  featureViews: { name: string; version: number }[];
  eventLogOffsets: Record<string, number>;
  codeVersion: string;
  parameters: Record<string, unknown>;
  columns?: FeatureColumn[];
  /** 'almanac' or 'external' (an ONNX model registered from elsewhere). */
  origin: 'almanac' | 'external';
}

export interface ModelVersion {
  /** Monotonic: 1, 2, 3 … */
  version: number;
  name: string;
  createdAt: string;
  metrics: ModelMetrics;
  signature: InputSignature;
  lineage: ModelLineage;
  /** ONNX file, absolute path. */
  onnxPath: string;
  aliases: ModelAlias[];
}

/**
 * The promotion gate (judged by models/registry/promotion-gate.ts; values from config `retrain.*`):
 * the challenger's holdout ROC-AUC must reach `minRocAuc`, and its `metric` must not be worse than
 * the champion's by more than `tolerance`.
 */
export interface PromotionGate {
  /** Metric compared with the champion; lower is better for log_loss. */
  metric: 'roc_auc' | 'pr_auc' | 'log_loss';
  tolerance: number;
  /** Absolute floor on the challenger's holdout ROC-AUC, champion or not. */
  minRocAuc: number;
}

/** What the gate decided and why (printed by the CLI, kept in the DAG's run history). */
export interface GateDecision {
  passed: boolean;
  /** One line per check, in order: the floor, then the champion comparison. */
  reasons: string[];
  /** The deciding reasons joined with '; ': the failed checks when rejected, every check when passed. */
  reason: string;
  gate: PromotionGate;
  /** The challenger's value of gate.metric (NaN when unknown). */
  challenger: number;
  /** The champion's value of gate.metric; absent without a champion (NaN when unknown). */
  champion?: number;
}

/** A gate decision about registered versions: `version` judged against `championVersion` (undefined = no champion). */
export interface ChallengerVerdict extends GateDecision {
  version: number;
  championVersion: number | undefined;
}

export interface PromoteResult {
  promoted: boolean;
  /** The champion before this promotion. */
  previous?: number;
  reason: string;
  /** The gate's decision (a forced promotion carries the failed one); the embedded registry always sets it. */
  decision?: GateDecision;
}

export interface ModelRegistry {
  init(): Promise<void>;
  /** Registers a new version from an ONNX file (copied in) and its metadata; returns it. */
  register(input: { name: string; onnxFile: string; metrics: ModelMetrics; signature: InputSignature; lineage: ModelLineage }): Promise<ModelVersion>;
  list(): Promise<ModelVersion[]>;
  get(version: number): Promise<ModelVersion>;
  /** The version an alias points to, or undefined. */
  resolve(alias: ModelAlias): Promise<ModelVersion | undefined>;
  setAlias(alias: ModelAlias, version: number): Promise<void>;
  /**
   * Makes `version` champion if it passes the gate against the current champion (or `force`),
   * atomically: judged and switched under the registry's lock. `gate` overrides config
   * `retrain.*` (gateMetric, gateTolerance, minRocAuc) field by field. A `verdict` judged earlier against the same champion (the retrain DAG's evaluate
   * task) is used as is; if the champion has changed since, the gate is judged again.
   * The previous champion is remembered for rollback.
   * @throws ALMANAC_ERR_MODEL_GATE_FAILED (details.decision) / ALMANAC_ERR_INPUT_CONFLICT (already champion) / ALMANAC_ERR_INPUT_NOT_FOUND
   */
  promote(version: number, options?: { gate?: Partial<PromotionGate>; force?: boolean; verdict?: ChallengerVerdict }): Promise<PromoteResult>;
  /** Points champion back at the previous champion. @throws ALMANAC_ERR_INPUT_CONFLICT when there is none. */
  rollback(): Promise<{ champion: number; previous: number }>;
  /** A number that changes whenever aliases change (serving polls it to hot-reload). */
  revision(): Promise<string>;
}

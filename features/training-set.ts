/**
 * Training sets: one row per labelled touch, every feature as of the touch time (never after),
 * the label from outcomes within the attribution window only. Written by the feature store
 * (features/), read by training (models/).
 */

/** A feature value: number (NaN never; null = missing) or category string. */
export type FeatureValue = number | string | null;

/** The features of one touch, by name (the same names at training and at serving). */
export type FeatureRecord = Record<string, FeatureValue>;

export interface TrainingExample {
  touch_id: string;
  client_id: string;
  campaign_id: string;
  /** Touch time, epoch ms. */
  ts: number;
  /** 1 when a conversion arrived within the attribution window after ts, else 0. */
  label: 0 | 1;
  features: FeatureRecord;
}

export interface FeatureColumn {
  name: string;
  type: 'numeric' | 'categorical';
  /** Where the value comes from: 'touch', 'campaign', or 'view:<feature view name>'. */
  source: string;
}

export interface TrainingSetManifest {
  /** Content id: the same inputs give the same id. */
  id: string;
  createdAt: string;
  /** Touch-time range covered, epoch ms [from, to). */
  range: { from: number; to: number };
  rows: number;
  positives: number;
  attributionWindowMs: number;
  columns: FeatureColumn[];
  featureViews: { name: string; version: number }[];
  /** Event-log end offsets (per partition) the set was built from. */
  eventLogOffsets: Record<string, number>;
  /** Data file, relative to the manifest's folder. */
  file: string;
}

export interface TrainingSet {
  manifest: TrainingSetManifest;
  /** In touch-time order: every row of the set, or a sample of them when `sample` is set. */
  examples: TrainingExample[];
  /**
   * Set when `examples` holds only a sample of the manifest's rows (a set too big to hold): the
   * whole set is the examples file in `dir` (streamTrainingExamples reads it a row at a time).
   */
  sample?: TrainingSetSample;
  /** The folder the set is stored in (manifest.json and the examples file), when it is on disk. */
  dir?: string;
}

/** How the rows held were chosen: touch-id hash under `rate` × 2³² (features/training-set-sample.ts). */
export interface TrainingSetSample {
  method: 'touch-id-hash';
  rate: number;
  /** Rows held. */
  rows: number;
  /** Rows of the whole set. */
  of: number;
}

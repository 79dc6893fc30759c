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
  /** In touch-time order. */
  examples: TrainingExample[];
}

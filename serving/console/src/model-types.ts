/** The shapes of GET /v1/models and GET /v1/models/:version (the console API contract). */

export interface LeaderboardEntry {
  family: string;
  candidate: string;
  served: boolean;
  refit: boolean;
  validation: { roc_auc?: number; log_loss?: number };
  holdout: { roc_auc?: number; pr_auc?: number; log_loss?: number };
  fit_seconds?: number;
}

export interface CalibrationBin {
  bin: number;
  count: number;
  mean_predicted: number;
  observed_rate: number;
}

export interface ModelVersion {
  version: number;
  name: string;
  created_at: string;
  aliases: string[];
  family: string | null;
  leaderboard: LeaderboardEntry[];
  metrics: { roc_auc?: number; pr_auc?: number; log_loss?: number; calibration?: CalibrationBin[]; holdout_rows?: number; holdout_positives?: number; baseline?: { roc_auc?: number; pr_auc?: number; log_loss?: number } } & Record<string, unknown>;
  lineage: {
    trainingSetId?: string;
    trainingRange?: { from: number; to: number };
    featureViews?: { name: string; version: number }[];
    eventLogOffsets?: Record<string, number>;
    codeVersion?: string;
    parameters?: Record<string, unknown>;
  } & Record<string, unknown>;
  features: { name: string; type: string }[];
}

export interface ModelList {
  serving: { model_version: number | null; index_version: string | null };
  versions: ModelVersion[];
}

export interface ModelDetail extends ModelVersion {
  curves: { roc: [number, number][]; calibration: { predicted: number; observed: number; count: number }[] } | null;
}

export interface PromotionDecision {
  promoted: boolean;
  reasons: string[];
  version: number;
  alias: string;
}

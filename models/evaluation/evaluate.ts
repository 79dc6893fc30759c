/** All holdout metrics of one model in one call. */
import type { ModelMetrics } from '../registry/model-registry.ts';
import { averagePrecision } from './average-precision.ts';
import { calibrationBins } from './calibration.ts';
import { logLoss } from './log-loss.ts';
import { rocAuc } from './roc-auc.ts';
import { rocCurve } from './roc-curve.ts';
import type { Labels, Scores } from './scored-labels.ts';

export type HoldoutMetrics = Omit<ModelMetrics, 'baseline'>;

export function evaluateHoldout(labels: Labels, probabilities: Scores): HoldoutMetrics {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  return {
    roc_auc: rocAuc(labels, probabilities),
    pr_auc: averagePrecision(labels, probabilities),
    log_loss: logLoss(labels, probabilities),
    calibration: calibrationBins(labels, probabilities, 10),
    holdout_rows: labels.length,
    holdout_positives: positives,
    ...withRocCurve(rocCurve(labels, probabilities)),
  };
}

const withRocCurve = (curve: [number, number][] | undefined): Pick<HoldoutMetrics, 'roc_curve'> => (curve === undefined ? {} : { roc_curve: curve });
